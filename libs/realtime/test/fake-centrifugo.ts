import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A stand-in for Centrifugo's server HTTP API (v5/v6) for tests, implementing the documented shapes:
 * - `POST /api/{method}`, JSON body; the key in `X-API-Key` (or `Authorization: apikey <key>`), else 401
 *   with an empty body; an empty or malformed body → 400 `Bad Request`; an unknown path → 404;
 * - replies `{ "result": {...} }` or `{ "error": { "code", "message" } }` with HTTP 200;
 * - `broadcast` → `{ result: { responses: [{ result } | { error }] } }` (an empty channel list is a top-level
 *   107); `batch` → `{ replies: [{ <method>: result } | { error }] }`;
 * - channels `ns:name` need a known namespace (else 102 `unknown channel`); history (size 100) and presence
 *   are on for every known namespace; an empty channel or missing user → 107 `bad request`.
 * Fault injection (`failNext`) covers what a real server does only under stress: slowness, 5xx, broken
 * bodies, dropped connections.
 */
export interface FakeCentrifugoOptions {
  apiKey: string;
  /** Namespaces that exist ('' is channels without namespace). @default ['', 'sensors'] */
  namespaces?: string[];
  historySize?: number;
  /** Serve HTTPS with this certificate and key (PEM) instead of HTTP. */
  tls?: { cert: string; key: string };
}

/** A fault applied to the next request(s) instead of normal handling. */
export type Fault =
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'raw'; body: string }
  | { kind: 'destroy' };

/** A request as the fake received it. */
export interface RecordedRequest {
  method: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** Remote port of the client socket: equal ports on consecutive requests mean a reused connection. */
  remotePort: number;
}

interface StoredPublication {
  data: unknown;
  offset: number;
  tags?: Record<string, string>;
}

interface Stream {
  epoch: string;
  offset: number;
  publications: StoredPublication[];
}

type Wire = Record<string, unknown>;
type Reply = { result: Wire } | { error: { code: number; message: string } };

const BAD_REQUEST = { error: { code: 107, message: 'bad request' } };
const UNKNOWN_CHANNEL = { error: { code: 102, message: 'unknown channel' } };
const METHOD_NOT_FOUND = { error: { code: 104, message: 'method not found' } };
const UNRECOVERABLE = { error: { code: 112, message: 'unrecoverable position' } };

export class FakeCentrifugo {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly faults: Array<{ fault: Fault; method?: string }> = [];
  private readonly streams = new Map<string, Stream>();
  /** channel → client id → client info (wire shape). */
  private readonly presence = new Map<string, Map<string, Wire>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private readonly startedAt = Date.now();

  private constructor(
    private readonly server: Server,
    private readonly options: Required<Omit<FakeCentrifugoOptions, 'tls'>> & FakeCentrifugoOptions,
  ) {}

  /** Starts a fake on 127.0.0.1 and a free port. */
  static async start(options: FakeCentrifugoOptions): Promise<FakeCentrifugo> {
    const resolved = { namespaces: ['', 'sensors'], historySize: 100, tls: undefined, ...options };
    const server = options.tls ? createTlsServer(options.tls) : createServer();
    const fake = new FakeCentrifugo(server, resolved);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => fake.handle(req, res));
    server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** `http(s)://127.0.0.1:<port>/api`. */
  get apiUrl(): string {
    const scheme = this.options.tls ? 'https' : 'http';
    return `${scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
  }

  /** Applies `fault` to the next `times` requests (to `method` only, when given). */
  failNext(fault: Fault, times = 1, method?: string): void {
    for (let i = 0; i < times; i++) this.faults.push({ fault, method });
  }

  /**
   * Drops faults no request has consumed yet. A client that times out or aborts before its request reaches
   * the server (a loaded machine) leaves its fault queued, and the next test's request would get it.
   */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Simulates a client connection subscribed to `channel` (for presence and channels). */
  connect(channel: string, user: string, client: string = randomUUID(), extra: Wire = {}): string {
    if (!this.presence.has(channel)) this.presence.set(channel, new Map());
    this.presence.get(channel)!.set(client, { user, client, ...extra });
    return client;
  }

  /** Stops the server and drops every connection and pending timer. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const method = (req.url ?? '').replace(/^\/api\//, '').replace(/\?.*$/, '');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      this.requests.push({ method, headers: req.headers, body, remotePort: req.socket.remotePort ?? 0 });
      const index = this.faults.findIndex((f) => f.method === undefined || f.method === method);
      const fault = index >= 0 ? this.faults.splice(index, 1)[0].fault : undefined;
      if (fault) return this.applyFault(fault, req, res, () => this.respond(req, res, method, raw));
      this.respond(req, res, method, raw);
    });
  }

  private applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse, normal: () => void): void {
    switch (fault.kind) {
      case 'delay': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!res.destroyed) normal();
        }, fault.ms);
        this.timers.add(timer);
        return;
      }
      case 'status':
        return this.send(res, fault.status, fault.body ?? '', 'text/plain; charset=utf-8');
      case 'raw':
        return this.send(res, 200, fault.body, 'application/json');
      case 'destroy':
        req.socket.destroy();
    }
  }

  private respond(req: IncomingMessage, res: ServerResponse, method: string, raw: string): void {
    if (req.method !== 'POST') return this.send(res, 405, '', 'text/plain');
    if (!this.authorized(req)) return this.send(res, 401, '', 'text/plain');
    if (!(method in this.handlers) && method !== 'batch')
      return this.send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return this.send(res, 400, 'Bad Request\n', 'text/plain; charset=utf-8');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return this.send(res, 400, 'Bad Request\n', 'text/plain; charset=utf-8');
    const reply = method === 'batch' ? this.batch(body as Wire) : this.execute(method, body as Wire);
    this.send(res, 200, JSON.stringify(reply), 'application/json');
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers['x-api-key'];
    if (typeof header === 'string' && header !== '') return header === this.options.apiKey;
    const [scheme, key] = (req.headers.authorization ?? '').split(/\s+/);
    return scheme?.toLowerCase() === 'apikey' && key === this.options.apiKey;
  }

  private batch(body: Wire): Wire {
    const commands = body.commands;
    if (!Array.isArray(commands)) return BAD_REQUEST;
    return {
      replies: commands.map((command: Wire) => {
        const method = Object.keys(command ?? {}).find((key) => key in this.handlers);
        if (!method) return METHOD_NOT_FOUND;
        const reply = this.execute(method, command[method] as Wire);
        return 'error' in reply ? reply : { [method]: reply.result };
      }),
    };
  }

  private execute(method: string, params: Wire): Reply {
    if (params === null || typeof params !== 'object') return BAD_REQUEST;
    return this.handlers[method](params);
  }

  private readonly handlers: Record<string, (p: Wire) => Reply> = {
    publish: (p) => this.publish(p.channel, p),
    broadcast: (p) => {
      if (!Array.isArray(p.channels) || p.channels.length === 0) return BAD_REQUEST;
      return { result: { responses: p.channels.map((channel) => this.publish(channel, p)) } };
    },
    subscribe: (p) => this.command(p.channel, p.user),
    unsubscribe: (p) => this.command(p.channel, p.user),
    disconnect: (p) => (this.nonEmpty(p.user) ? { result: {} } : BAD_REQUEST),
    refresh: (p) => (this.nonEmpty(p.user) ? { result: {} } : BAD_REQUEST),
    presence: (p) => this.withChannel(p.channel, (c) => ({ presence: Object.fromEntries(this.clients(c)) })),
    presence_stats: (p) =>
      this.withChannel(p.channel, (c) => {
        const clients = [...this.clients(c).values()];
        return { num_clients: clients.length, num_users: new Set(clients.map((x) => x.user)).size };
      }),
    history: (p) => this.history(p),
    history_remove: (p) =>
      this.withChannel(p.channel, (c) => {
        const stream = this.streams.get(c);
        if (stream) stream.publications = [];
        return {};
      }),
    channels: (p) => {
      const pattern = typeof p.pattern === 'string' && p.pattern ? globToRegExp(p.pattern) : undefined;
      const channels: Wire = {};
      for (const [channel, clients] of this.presence)
        if (clients.size > 0 && (!pattern || pattern.test(channel)))
          channels[channel] = { num_clients: clients.size };
      return { result: { channels } };
    },
    info: () => {
      let clients = 0;
      const users = new Set<unknown>();
      for (const c of this.presence.values())
        for (const info of c.values()) {
          clients++;
          users.add(info.user);
        }
      return {
        result: {
          nodes: [
            {
              uid: 'fake-node-uid',
              name: 'fake-centrifugo',
              version: '6.0.0-fake',
              num_clients: clients,
              num_users: users.size,
              num_channels: this.presence.size,
              num_subs: clients,
              uptime: Math.floor((Date.now() - this.startedAt) / 1000),
              process: { cpu: 0.1, rss: 1024 },
            },
          ],
        },
      };
    },
  };

  private publish(channel: unknown, p: Wire): Reply {
    return this.withChannel(channel, (c) => {
      const stream = this.stream(c);
      if (p.skip_history === true) return {};
      stream.offset += 1;
      stream.publications.push({
        data: p.data,
        offset: stream.offset,
        ...(p.tags ? { tags: p.tags as Record<string, string> } : {}),
      });
      if (stream.publications.length > this.options.historySize) stream.publications.shift();
      return { offset: stream.offset, epoch: stream.epoch };
    });
  }

  private history(p: Wire): Reply {
    return this.withChannel(p.channel, (c) => {
      const stream = this.stream(c);
      const since = p.since as { offset?: number; epoch?: string } | undefined;
      if (since && since.epoch !== stream.epoch) return UNRECOVERABLE;
      let publications = stream.publications.filter((x) => !since || x.offset > (since.offset ?? 0));
      if (p.reverse === true) publications = [...publications].reverse();
      const limit = typeof p.limit === 'number' ? p.limit : 0;
      publications = limit > 0 ? publications.slice(0, limit) : limit < 0 ? publications : [];
      return { publications, epoch: stream.epoch, offset: stream.offset };
    });
  }

  private command(channel: unknown, user: unknown): Reply {
    if (!this.nonEmpty(user)) return BAD_REQUEST;
    return this.withChannel(channel, () => ({}));
  }

  private withChannel(channel: unknown, fn: (channel: string) => Wire | Reply): Reply {
    if (!this.nonEmpty(channel)) return BAD_REQUEST;
    const namespace = channel.includes(':') ? channel.slice(0, channel.indexOf(':')) : '';
    if (!this.options.namespaces.includes(namespace)) return UNKNOWN_CHANNEL;
    const out = fn(channel);
    return 'error' in out ? (out as Reply) : { result: out as Wire };
  }

  private stream(channel: string): Stream {
    let stream = this.streams.get(channel);
    if (!stream) {
      stream = { epoch: randomBytes(3).toString('base64url'), offset: 0, publications: [] };
      this.streams.set(channel, stream);
    }
    return stream;
  }

  private clients(channel: string): Map<string, Wire> {
    return this.presence.get(channel) ?? new Map();
  }

  private nonEmpty(value: unknown): value is string {
    return typeof value === 'string' && value !== '';
  }

  private send(res: ServerResponse, status: number, body: string, type: string): void {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
