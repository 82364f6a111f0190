import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { JwtSigner } from './jwt-signer';
import type { TestPki } from './pki';

/** What the server saw of one request (the test inspects it). */
export interface SeenRequest {
  method: string;
  path: string;
  authorization?: string;
  body: string;
}

/**
 * A loopback HTTPS token endpoint and protected API for the integration tests:
 * - `GET /mtls/token`: the client certificate (checked at the handshake when `mtls`) buys a raw JWT;
 *   `GET /mtls/token.json` answers `{ "result": { "jwt": … }, "expires_in": … }`;
 * - `GET /login`: HTTP Basic `user`/`pass` → `{ "data": { "jwt": … } }`;
 * - `POST /oauth/token`: client credentials (basic or post) → RFC 6749 answer, `invalid_client` otherwise;
 * - `/api/*`: 200 with a valid, unrevoked bearer JWT, else 401 (`apiStatuses` forces answers first);
 * - `/public/*`: 200, recording whatever `Authorization` came.
 * `stop()` / `restart()` take it down and up on the same port.
 */
export class TokenServer {
  readonly seen: SeenRequest[] = [];
  /** Token lifetime in seconds (JWT `exp`; also `expires_in` unless `expiresIn` is set). */
  ttlSeconds = 60;
  /** Overrides the `expires_in` field; `null` omits it. */
  expiresIn: number | null | undefined;
  /** Answers token requests with this status (and `retryAfter`) instead of a token. */
  tokenStatus: number | undefined;
  retryAfter: string | undefined;
  /** Delay before answering a token request, in ms. */
  tokenDelayMs = 0;
  /** Delay before answering `/api/*` and `/public/*`, in ms. */
  apiDelayMs = 0;
  /** Statuses `/api/*` answers first, one per request, before checking tokens. */
  readonly apiStatuses: number[] = [];
  /** Tokens `/api/*` no longer accepts. */
  readonly revoked = new Set<string>();
  readonly issued: string[] = [];
  credentials = {
    username: 'alice',
    password: 'pa55-w0rd!',
    clientId: 'svc-1',
    clientSecret: 's3cr3t:+/ value',
  };
  private port = 0;

  private constructor(
    private server: Server,
    private readonly options: { pki: TestPki; signer: JwtSigner; mtls: boolean },
  ) {}

  static async start(options: { pki: TestPki; signer: JwtSigner; mtls?: boolean }): Promise<TokenServer> {
    const server = new TokenServer(undefined as unknown as Server, {
      ...options,
      mtls: options.mtls ?? false,
    });
    await server.listen();
    return server;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Requests seen on paths starting with `prefix`. */
  count(prefix: string): number {
    return this.seen.filter((r) => r.path.startsWith(prefix)).length;
  }

  /** Takes the server down: new connections are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Brings it back on the same port. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.stop();
  }

  private async listen(port = 0): Promise<void> {
    const { pki, mtls } = this.options;
    this.server = createServer(
      {
        key: pki.read(pki.serverKey),
        cert: pki.read(pki.serverCert),
        ca: pki.read(pki.caCert),
        requestCert: mtls,
        rejectUnauthorized: mtls,
        keepAliveTimeout: 500,
      },
      (req, res) => void this.handle(req, res),
    );
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'https://x');
    this.seen.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      authorization: req.headers.authorization,
      body,
    });
    try {
      if (this.apiDelayMs && /^\/(api|public)\//.test(url.pathname))
        await new Promise((r) => setTimeout(r, this.apiDelayMs));
      if (url.pathname.startsWith('/api/')) return await this.api(req, res);
      if (url.pathname.startsWith('/public/')) return json(res, 200, { ok: true });
      if (this.tokenDelayMs) await new Promise((r) => setTimeout(r, this.tokenDelayMs));
      if (this.tokenStatus !== undefined) {
        if (this.retryAfter) res.setHeader('retry-after', this.retryAfter);
        return json(res, this.tokenStatus, { error: 'temporarily_unavailable' });
      }
      if (url.pathname === '/mtls/token' || url.pathname === '/mtls/token.json')
        return await this.mtlsToken(req, res, url);
      if (url.pathname === '/login') return await this.login(req, res);
      if (url.pathname === '/oauth/token') return await this.oauth(req, res, body);
      json(res, 404, { error: 'not_found' });
    } catch (error) {
      json(res, 500, { error: String(error) });
    }
  }

  private async mtlsToken(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const socket = req.socket as TLSSocket;
    if (!socket.authorized) return json(res, 401, { error: 'client certificate required' });
    const cn = socket.getPeerCertificate().subject?.CN;
    const token = await this.mint({ sub: String(cn) });
    if (url.pathname.endsWith('.json')) return json(res, 200, { result: { jwt: token }, ...this.expiry() });
    res.writeHead(200, { 'content-type': 'application/jwt' }).end(token);
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const expected = Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString(
      'base64',
    );
    if (req.headers.authorization !== `Basic ${expected}`)
      return json(res, 401, { error: 'bad credentials' });
    json(res, 200, { data: { jwt: await this.mint({ sub: this.credentials.username }) }, ...this.expiry() });
  }

  private async oauth(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const form = new URLSearchParams(body);
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) {
      const [user, pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      id = decodeForm(user);
      secret = decodeForm(pass ?? '');
    }
    if (form.get('grant_type') !== 'client_credentials')
      return json(res, 400, { error: 'unsupported_grant_type' });
    if (id !== this.credentials.clientId || secret !== this.credentials.clientSecret)
      return json(res, 401, { error: 'invalid_client', error_description: 'client authentication failed' });
    const token = await this.mint({
      sub: id,
      scope: form.get('scope'),
      aud: form.get('audience') ?? undefined,
    });
    json(res, 200, { access_token: token, token_type: 'Bearer', ...this.expiry(), scope: form.get('scope') });
  }

  private async api(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const forced = this.apiStatuses.shift();
    if (forced !== undefined) return json(res, forced, { error: `forced ${forced}` });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || this.revoked.has(bearer)) return json(res, 401, { error: 'invalid_token' });
    try {
      const claims = await this.options.signer.verify(bearer);
      json(res, 200, { ok: true, sub: claims.sub });
    } catch {
      json(res, 401, { error: 'invalid_token' });
    }
  }

  private async mint(claims: Record<string, unknown>): Promise<string> {
    const token = await this.options.signer.sign(claims, this.ttlSeconds);
    this.issued.push(token);
    return token;
  }

  private expiry(): { expires_in?: number } {
    if (this.expiresIn === null) return {};
    return { expires_in: this.expiresIn ?? this.ttlSeconds };
  }
}

function json(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function decodeForm(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
