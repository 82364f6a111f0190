import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SignJWT } from 'jose';
import { JWT_ALGORITHM, SigningKey } from './signing-key';

/** Options of the in-process token issuer (the demo's stand-in for an API gateway). */
export interface TokenIssuerOptions {
  /** `password`: HTTP Basic over plain HTTP on loopback; `mtls`: HTTPS that requires a client certificate. */
  mode: 'password' | 'mtls';
  host: string;
  /** 0: any free port. */
  port: number;
  key: SigningKey;
  ttlSeconds: number;
  audience: string;
  issuer: string;
  /** The one account of `password` mode. */
  username?: string;
  /** Never logged. */
  password?: string;
  /** Server certificate, key and the CA that client certificates must chain to (`mtls` mode), PEM. */
  tls?: { cert: Buffer; key: Buffer; ca: Buffer };
}

/** What the issuer answers on `/token` (the OAuth2 token-response shape). */
export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/**
 * A small token endpoint: `GET|POST /token` answers a short-lived ES256 JWT (`iss`, `aud`, `sub`, `iat`,
 * `exp`, `jti`) for a valid client certificate or username/password; `GET /.well-known/jwks.json` publishes
 * the public key. It counts what it issued, as a gateway's metrics would.
 */
export class TokenIssuer {
  private issuedCount = 0;
  private rejectedCount = 0;

  private constructor(
    private readonly options: TokenIssuerOptions,
    private readonly server: http.Server | https.Server,
  ) {}

  /** Starts listening; resolves once the port is bound. */
  static async start(options: TokenIssuerOptions): Promise<TokenIssuer> {
    const server =
      options.mode === 'mtls'
        ? https.createServer({
            ...requireTls(options),
            requestCert: true,
            rejectUnauthorized: true,
            minVersion: 'TLSv1.2',
          })
        : http.createServer();
    const issuer = new TokenIssuer(options, server);
    server.on(
      'request',
      (req: http.IncomingMessage, res: http.ServerResponse) => void issuer.handle(req, res),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return issuer;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `${this.options.mode === 'mtls' ? 'https' : 'http'}://${host}:${port}`;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  get jwksUrl(): string {
    return `${this.url}/.well-known/jwks.json`;
  }

  /** Tokens issued since start. */
  get issued(): number {
    return this.issuedCount;
  }

  /** Token requests refused (bad credentials or certificate). */
  get rejected(): number {
    return this.rejectedCount;
  }

  /** Signs a token for `subject` (also used by tests to mint tokens the API must accept or refuse). */
  async sign(subject: string, ttlSeconds = this.options.ttlSeconds): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: 'stats:write' })
      .setProtectedHeader({ alg: JWT_ALGORITHM, kid: this.options.key.kid, typ: 'JWT' })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(subject)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setJti(randomUUID())
      .sign(this.options.key.privateKey);
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/.well-known/jwks.json' && req.method === 'GET')
        return json(res, 200, { keys: [this.options.key.publicJwk] });
      if (path !== '/token') return json(res, 404, { error: 'not_found' });
      if (req.method !== 'GET' && req.method !== 'POST')
        return json(res, 405, { error: 'method_not_allowed' });
      req.resume();
      const subject = this.authenticate(req);
      if (!subject) {
        this.rejectedCount++;
        if (this.options.mode === 'password') res.setHeader('WWW-Authenticate', 'Basic realm="databus-demo"');
        return json(res, 401, { error: 'invalid_client' });
      }
      const token: IssuedToken = {
        access_token: await this.sign(subject),
        token_type: 'Bearer',
        expires_in: this.options.ttlSeconds,
      };
      this.issuedCount++;
      res.setHeader('Cache-Control', 'no-store');
      return json(res, 200, token);
    } catch {
      return json(res, 500, { error: 'server_error' });
    }
  }

  /** The authenticated principal, or undefined. */
  private authenticate(req: http.IncomingMessage): string | undefined {
    if (this.options.mode === 'mtls') {
      const socket = req.socket as TLSSocket;
      if (!socket.authorized) return undefined;
      const cn = socket.getPeerCertificate().subject?.CN;
      return typeof cn === 'string' && cn ? cn : undefined;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!match) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const ok =
      sameSecret(user, this.options.username ?? '') && sameSecret(password, this.options.password ?? '');
    return ok && this.options.password ? user : undefined;
  }
}

function requireTls(options: TokenIssuerOptions): { cert: Buffer; key: Buffer; ca: Buffer } {
  if (!options.tls) throw new TypeError('TokenIssuer: mtls mode needs tls { cert, key, ca }');
  return options.tls;
}

/** Constant-time comparison of two strings (compares digests, so lengths leak nothing either). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}
