import { EventEmitter } from 'node:events';
import { AuthenticationError, TemporaryError } from '../errors';
import { AmqpClient, AmqpClientOptions, AmqpClientStatus } from './amqp-client';

class FakeConnection extends EventEmitter {
  updateSecret = jest.fn(async () => undefined);
  close = jest.fn(async () => {
    this.emit('close');
  });
}

/** What the fake amqplib does on the next connects: a connection, or an error to throw. */
const script: Array<Error | 'ok'> = [];
const connections: FakeConnection[] = [];
const hostsTried: string[] = [];
jest.mock('amqplib', () => ({
  connect: jest.fn(async (args: { hostname: string }) => {
    hostsTried.push(args.hostname);
    const next = script.shift() ?? 'ok';
    if (next !== 'ok') throw next;
    const connection = new FakeConnection();
    connections.push(connection);
    return connection;
  }),
}));

const refused = (): Error =>
  Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5672'), { code: 'ECONNREFUSED' });

function client(overrides: Partial<AmqpClientOptions> = {}): {
  client: AmqpClient;
  warnings: string[];
  statuses: AmqpClientStatus['type'][];
} {
  const warnings: string[] = [];
  const statuses: AmqpClientStatus['type'][] = [];
  const c = new AmqpClient({
    target: {
      secure: false,
      hosts: [{ host: 'a' }, { host: 'b' }],
      vhost: '',
      heartbeatSeconds: 10,
      socketTimeoutMs: 1000,
      connectionName: 'test',
      product: 'test',
    },
    reconnect: { initialMs: 1, maxMs: 2 },
    connectTimeoutMs: 10_000,
    where: 'amqp://a,b',
    logger: { log: () => undefined, warn: (m) => warnings.push(m) },
    closedMessage: 'closed',
    onStatus: (s) => statuses.push(s.type),
    ...overrides,
  });
  return { client: c, warnings, statuses };
}

describe('AmqpClient', () => {
  beforeEach(() => {
    script.length = 0;
    connections.length = 0;
    hostsTried.length = 0;
  });

  it('tries every host once per attempt, and retries with one WARN line per failed attempt', async () => {
    script.push(refused(), refused(), refused());
    const { client: c, warnings, statuses } = client();
    await c.start();
    expect(hostsTried).toEqual(['a', 'b', 'b', 'a']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^Connecting to amqp:\/\/a,b failed \(attempt 1\): Cannot connect to amqp:\/\/b:5672: connect ECONNREFUSED 10\.0\.0\.1:5672; retrying in \d+ ms$/,
    );
    expect(statuses).toEqual(['connecting', 'connected']);
    expect(c.generation).toBe(1);
    await c.close();
  });

  it('fails at once on refused credentials, without a retry or a WARN line', async () => {
    script.push(new Error('Handshake terminated by server: 403 (ACCESS-REFUSED)'));
    const { client: c, warnings } = client();
    const error = await c.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/^The broker at amqp:\/\/a:5672 refused the credentials/);
    expect(hostsTried).toEqual(['a']);
    expect(warnings).toEqual([]);
    await c.close();
  });

  it('gives up at connectTimeoutMs with a TemporaryError naming the option and the last cause', async () => {
    for (let i = 0; i < 1000; i++) script.push(refused());
    const { client: c } = client({ connectTimeoutMs: 30, reconnect: { initialMs: 5, maxMs: 5, jitter: 0 } });
    const error = await c.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporaryError);
    expect((error as Error).message).toMatch(
      /^Could not connect to amqp:\/\/a,b within connectTimeoutMs = 30 ms \(last failure: Cannot connect to amqp:\/\/[ab]:5672: connect ECONNREFUSED 10\.0\.0\.1:5672\)$/,
    );
    await c.close();
  });

  it('after a loss, reconnects (setting each connection up once) and wakes waiters', async () => {
    const setups: number[] = [];
    const { client: c, statuses } = client({ onConnected: async (_m, g) => void setups.push(g) });
    await c.start();
    const lost: Error[] = [];
    c.onLost((e) => lost.push(e));
    script.push(refused(), refused()); // the first reconnect attempt finds both hosts down
    connections[0].emit('close', new Error('CONNECTION_FORCED - broker shutdown'));
    const model = await c.whenConnected(5000, 'not back');
    expect(model).toBe(connections[1]);
    expect(setups).toEqual([1, 2]);
    expect(lost.map((e) => e.message)).toEqual([
      'The broker connection was lost (CONNECTION_FORCED - broker shutdown).',
    ]);
    expect(statuses).toEqual([
      'connecting',
      'connected',
      'disconnected',
      'reconnecting',
      'reconnecting',
      'connected',
    ]);
    await c.close();
  });

  it('stops reconnecting once closed, and rejects waiters with the closed message', async () => {
    const { client: c } = client({ reconnect: { initialMs: 60_000, maxMs: 60_000 } });
    await c.start();
    connections[0].emit('close', new Error('gone'));
    const waiting = c.whenConnected(60_000, 'not back');
    await c.close();
    await expect(waiting).rejects.toThrow(new TemporaryError('closed'));
    expect(connections).toHaveLength(1);
  });
});
