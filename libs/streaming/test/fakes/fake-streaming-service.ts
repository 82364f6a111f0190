import { JwtManager, StreamingLoginAuthOptions } from '@databus/auth';
import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { FakeConsumer, FakeStreamingLog, NoOffsetError } from './fake-streaming-log';

/** How the fake behaves. Every field has the seed fake's value as its default where it has one. */
export interface FakeStreamingServiceOptions {
  username?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  /** Every n-th request rotates the tokens and is answered 403 "Token expired"; 0 never rotates. @default 25 */
  rotateEvery?: number;
  partitions?: number;
  maxRecordsPerPoll?: number;
  consumerPathPrefix?: string;
  producerPathPrefix?: string;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/** One request the fake answered, for wire assertions. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

const VENDOR_TYPE = 'application/vnd.dxl.intel.records.v1+json';

/**
 * A local stand-in for the REST streaming service, written from the wire facts in
 * shared/research/seed-wire-protocols.md (logins, consumer service, producer service), with the seed fake's
 * behaviours: tokens that rotate every `rotateEvery` requests (the request that rotates them is answered
 * 403), the sticky `AWSALB` cookie checked on every consumer call, 404 for an unknown consumer, records
 * returned again until committed. Real HTTP (or HTTPS) on 127.0.0.1, an ephemeral port.
 */
export class FakeStreamingService {
  readonly log: FakeStreamingLog;
  readonly requests: SeenRequest[] = [];
  readonly counts = { logins: 0, tokenRefusals: 0, cookieRefusals: 0, rotations: 0 };
  /**
   * What the next produce calls get instead of being served, one entry per call, in order: an HTTP status to
   * answer with, or `'hang'` for a call never answered (a service that stalls).
   */
  readonly produceFaults: Array<number | 'hang'> = [];
  private readonly tokens = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private counter = 0;
  private server!: http.Server;
  private port = 0;
  private readonly o: Required<Omit<FakeStreamingServiceOptions, 'tls'>> &
    Pick<FakeStreamingServiceOptions, 'tls'>;

  private constructor(options: FakeStreamingServiceOptions) {
    this.o = {
      username: 'me',
      password: 'secret',
      clientId: 'client',
      clientSecret: 'client-secret',
      rotateEvery: 25,
      partitions: 2,
      maxRecordsPerPoll: 500,
      consumerPathPrefix: '/databus/consumer-service/v1',
      producerPathPrefix: '/databus/cloudproxy/v1',
      ...options,
    };
    this.log = new FakeStreamingLog(this.o.partitions, this.o.maxRecordsPerPoll);
  }

  static async start(options: FakeStreamingServiceOptions = {}): Promise<FakeStreamingService> {
    const fake = new FakeStreamingService(options);
    await fake.listen();
    return fake;
  }

  /** `http(s)://127.0.0.1:<port>` */
  get baseUrl(): string {
    return `${this.o.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** The transport URL of this fake. */
  get transportUrl(): string {
    return `${this.o.tls ? 'rest+https' : 'rest+http'}://127.0.0.1:${this.port}`;
  }

  /** Forgets a consumer, as a service that expired it would: its next call gets 404. */
  dropConsumer(id: string): void {
    this.log.consumers.delete(id);
  }

  /** Stops answering (connections cut) for `downMs`, then listens again on the same port; state is kept. */
  async restart(downMs = 500): Promise<void> {
    await this.stopListening();
    await new Promise((r) => setTimeout(r, downMs));
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.stopListening();
  }

  private listen(port = 0): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    };
    this.server = this.o.tls ? https.createServer({ ...this.o.tls }, handler) : http.createServer(handler);
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve) =>
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      }),
    );
  }

  private stopListening(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (
      status: number,
      json?: unknown,
      headers: Record<string, string | string[]> = {},
    ): void => {
      if (this.requests.length < 20_000)
        this.requests.push({ method: req.method ?? '', path, headers: req.headers, body, status });
      const text = json === undefined ? '' : JSON.stringify(json);
      res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), ...headers });
      res.end(text);
    };
    const route = this.route(req.method ?? 'GET', path);
    if (!route) return answer(404, { message: 'Not found' });
    if (route === 'method') return answer(405, { message: 'Method not allowed' });
    this.counter++;
    try {
      route(req, body, answer);
    } catch (error) {
      answer(500, { message: (error as Error).message });
    }
  }

  private route(method: string, path: string): Handler | 'method' | undefined {
    const cp = this.o.consumerPathPrefix;
    const routes: Array<[string, RegExp, Handler]> = [
      ['GET', /^\/identity\/v1\/login$/, (req, _b, answer) => this.login(req, answer)],
      ['POST', /^\/iam\/v1\.4\/token$/, (req, b, answer) => this.clientCredentials(req, b, answer)],
      [
        'POST',
        new RegExp(`^${cp}/consumers$`),
        (req, b, answer) => this.withToken(req, answer, () => this.create(b, answer)),
      ],
      [
        'POST',
        new RegExp(`^${cp}/consumers/([^/]+)/subscription$`),
        this.consumerRoute((c, b, answer) => this.subscribe(c, b, answer)),
      ],
      [
        'GET',
        new RegExp(`^${cp}/consumers/([^/]+)/records$`),
        this.consumerRoute((c, _b, answer) => this.records(c, answer)),
      ],
      [
        'POST',
        new RegExp(`^${cp}/consumers/([^/]+)/offsets$`),
        this.consumerRoute((c, b, answer) => this.commit(c, b, answer)),
      ],
      [
        'DELETE',
        new RegExp(`^${cp}/consumers/([^/]+)$`),
        this.consumerRoute((c, _b, answer) => this.remove(c, answer)),
      ],
      [
        'POST',
        new RegExp(`^${this.o.producerPathPrefix}/produce$`),
        (req, b, answer) => this.produce(req, b, answer),
      ],
    ];
    let pathMatched = false;
    for (const [m, pattern, handler] of routes) {
      const match = pattern.exec(path);
      if (!match) continue;
      pathMatched = true;
      if (m === method)
        return (req, b, answer) => handler(Object.assign(req, { params: match.slice(1) }), b, answer);
    }
    return pathMatched ? 'method' : undefined;
  }

  private login(req: http.IncomingMessage, answer: Answer): void {
    if (req.headers.authorization !== basic(this.o.username, this.o.password))
      return answer(403, { message: 'Bad credentials' }, { 'www-authenticate': 'Basic' });
    this.counts.logins++;
    answer(200, { AuthorizationToken: this.issue() });
  }

  private clientCredentials(req: http.IncomingMessage, body: string, answer: Answer): void {
    const form = new URLSearchParams(body);
    if (req.headers.authorization !== basic(this.o.clientId, this.o.clientSecret) || !form.get('grant_type'))
      return answer(401, { error: 'invalid_client' });
    this.counts.logins++;
    answer(200, { access_token: this.issue(), token_type: 'Bearer' });
  }

  private withToken(req: http.IncomingMessage, answer: Answer, next: () => void): void {
    if (this.o.rotateEvery > 0 && this.counter % this.o.rotateEvery === 0) {
      this.tokens.clear();
      this.counts.rotations++;
      this.counts.tokenRefusals++;
      return answer(403, { message: 'Token expired' });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) {
      this.counts.tokenRefusals++;
      return answer(403, { message: 'Invalid token' });
    }
    next();
  }

  private consumerRoute(next: (consumer: FakeConsumer, body: string, answer: Answer) => void): Handler {
    return (req, body, answer) =>
      this.withToken(req, answer, () => {
        const consumer = this.log.consumers.get((req as Routed).params[0]);
        if (!consumer) return answer(404, { message: 'Unknown consumer' });
        if (req.headers.cookie !== `AWSALB=${consumer.cookie}`) {
          this.counts.cookieRefusals++;
          return answer(403, { message: 'Missing sticky cookie' });
        }
        next(consumer, body, answer);
      });
  }

  private create(body: string, answer: Answer): void {
    const { consumerGroup, configs } = JSON.parse(body) as {
      consumerGroup?: string;
      configs?: Record<string, string>;
    };
    if (!consumerGroup) return answer(400, { message: 'consumerGroup is required' });
    const consumer: FakeConsumer = {
      id: randomUUID(),
      group: consumerGroup,
      configs: configs ?? {},
      cookie: randomBytes(8).toString('hex'),
      topics: [],
    };
    this.log.consumers.set(consumer.id, consumer);
    answer(200, { consumerInstanceId: consumer.id }, { 'set-cookie': `AWSALB=${consumer.cookie}; Path=/` });
  }

  private subscribe(consumer: FakeConsumer, body: string, answer: Answer): void {
    const { topics } = JSON.parse(body || '{}') as { topics?: string[] };
    if (!Array.isArray(topics)) return answer(500, { message: 'topics missing' });
    try {
      this.log.subscribe(consumer, topics);
    } catch (error) {
      if (error instanceof NoOffsetError) return answer(409, { message: error.message });
      throw error;
    }
    answer(200);
  }

  private records(consumer: FakeConsumer, answer: Answer): void {
    const records = this.log.poll(consumer).map((r) => ({
      routingData: { topic: r.topic, ...(r.shardingKey !== undefined ? { shardingKey: r.shardingKey } : {}) },
      message: { headers: r.headers, payload: r.payload },
      partition: r.partition,
      offset: r.offset,
    }));
    answer(200, { records });
  }

  private commit(consumer: FakeConsumer, body: string, answer: Answer): void {
    const { offsets } = JSON.parse(body) as {
      offsets: Array<{ topic: string; partition: number; offset: number }>;
    };
    this.log.commit(consumer, offsets);
    answer(204);
  }

  private remove(consumer: FakeConsumer, answer: Answer): void {
    this.log.consumers.delete(consumer.id);
    answer(204);
  }

  private produce(req: http.IncomingMessage, body: string, answer: Answer): void {
    const fault = this.produceFaults.shift();
    if (fault === 'hang') return;
    if (fault !== undefined) return answer(fault, { message: 'Service unavailable' });
    if (req.headers['content-type'] !== VENDOR_TYPE)
      return answer(415, { message: 'Unsupported media type' });
    const { records } = JSON.parse(body) as {
      records: Array<{
        routingData: { topic: string; shardingKey?: string };
        message: { headers?: Record<string, string>; payload: string };
      }>;
    };
    for (const r of records)
      this.log.append(
        r.routingData.topic,
        r.routingData.shardingKey,
        r.message.headers ?? {},
        r.message.payload,
      );
    answer(200);
  }

  private issue(): string {
    const token = randomBytes(6).toString('base64url');
    this.tokens.add(token);
    return token;
  }
}

type Answer = (status: number, json?: unknown, headers?: Record<string, string | string[]>) => void;
type Handler = (req: http.IncomingMessage, body: string, answer: Answer) => void;
type Routed = http.IncomingMessage & { params: string[] };

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A `JwtManager` logging in to `fake` the seed channel's way (`streaming_login`), re-login allowed at once. */
export function fakeServiceLogin(
  fake: FakeStreamingService,
  overrides: Partial<StreamingLoginAuthOptions> = {},
): JwtManager {
  return JwtManager.create({
    strategy: 'streaming_login',
    baseUrl: fake.baseUrl,
    username: 'me',
    password: 'secret',
    logger: false,
    refresh: { forcedMinIntervalMs: 0 },
    ...overrides,
  });
}
