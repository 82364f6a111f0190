import { randomUUID } from 'node:crypto';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';

/** How the fake account server behaves. */
export interface FakeAccountServerOptions {
  /** Server certificate and key (PEM), and the CA that signs accepted client certificates. */
  cert: string | Buffer;
  key: string | Buffer;
  ca: string | Buffer;
  /** What `/api/v1/config` says `nats_url` is. */
  natsUrl: string;
  /** Lifetime of the gateway JWTs, seconds. @default 3600 */
  gatewayJwtSeconds?: number;
  /** The NATS user JWT the MAS hands out for a dataset. @default a fresh opaque string per call */
  userJwt?: (dataset: string) => string;
}

/**
 * A local stand-in for the dataset client's account server, API gateway and MAS (one HTTPS server), written
 * from shared/research/seed-wire-protocols.md §2:
 * - `GET /api/v1/config` (no client certificate needed) → `api_gateway_url`, `mas_url`, `nats_url`,
 *   `nats_websocket_url`;
 * - `GET /getjwt` requires a client certificate signed by `ca` and answers the raw JWT text (not JSON),
 *   with the certificate's `CN` and an `exp`;
 * - `GET /api/v1/user/jwt/{dataset}` requires `Authorization: Bearer <a gateway JWT it issued>` and answers
 *   the NATS user JWT as raw text.
 */
export class FakeAccountServer {
  readonly gatewayCalls: Array<{ cn?: string }> = [];
  readonly masCalls: Array<{ dataset: string; bearer?: string }> = [];
  readonly refusedCertificates: number[] = [];
  private readonly issued = new Set<string>();
  private server!: https.Server;
  private port = 0;
  /** Lifetime of the gateway JWTs issued from now on, seconds. */
  gatewayJwtSeconds: number;
  /** The next this-many MAS calls are answered 401, as for a gateway JWT the MAS no longer accepts. */
  refuseNextMasCalls = 0;

  private constructor(private readonly options: FakeAccountServerOptions) {
    this.gatewayJwtSeconds = options.gatewayJwtSeconds ?? 3600;
  }

  static async start(options: FakeAccountServerOptions): Promise<FakeAccountServer> {
    const fake = new FakeAccountServer(options);
    fake.server = https.createServer(
      { cert: options.cert, key: options.key, ca: options.ca, requestCert: true, rejectUnauthorized: false },
      (req, res) => fake.handle(req, res),
    );
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** `https://127.0.0.1:<port>` (with a path, to show that the bootstrap replaces it). */
  get url(): string {
    return `https://127.0.0.1:${this.port}/some/ignored/path`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    const base = `https://127.0.0.1:${this.port}`;
    const path = (req.url ?? '/').split('?')[0];
    const text = (status: number, body: string, type = 'text/plain'): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method === 'GET' && path === '/api/v1/config')
      return text(
        200,
        JSON.stringify({
          api_gateway_url: `${base}/getjwt`,
          mas_url: `${base}/`,
          nats_url: this.options.natsUrl,
          nats_websocket_url: 'wss://127.0.0.1:1/unused',
        }),
        'application/json',
      );
    if (req.method === 'GET' && path === '/getjwt') {
      const socket = req.socket as TLSSocket;
      const cn = socket.getPeerCertificate()?.subject?.CN;
      if (!socket.authorized || !cn) {
        this.refusedCertificates.push(Date.now());
        return text(401, 'client certificate required');
      }
      this.gatewayCalls.push({ cn: String(cn) });
      const jwt = unsignedJwt({
        sub: String(cn),
        CN: String(cn),
        jti: randomUUID(),
        exp: Math.floor(Date.now() / 1000) + this.gatewayJwtSeconds,
      });
      this.issued.add(jwt);
      return text(200, `${jwt}\n`);
    }
    const mas = /^\/api\/v1\/user\/jwt\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && mas) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const dataset = decodeURIComponent(mas[1]);
      this.masCalls.push({ dataset, bearer });
      if (!bearer || !this.issued.has(bearer)) return text(401, 'gateway JWT required');
      if (this.refuseNextMasCalls > 0) {
        this.refuseNextMasCalls--;
        this.issued.delete(bearer);
        return text(401, 'gateway JWT revoked');
      }
      return text(200, this.options.userJwt?.(dataset) ?? `user-jwt-${randomUUID()}`);
    }
    text(404, 'not found');
  }
}

/** A JWT-shaped token with `claims`, unsigned (the client reads it without verification). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}
