import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { BrokerCredentials, CredentialsProvider, CredentialsRefreshInfo } from '@databus/common';
import { resolveTaskQueueOptions } from '../../options/resolve-options';
import { StatusEmitter } from '../status-emitter';
import type { BackendStatus } from '../queue-backend.interface';
import { ConnectionSupervisor } from './connection-supervisor';

class FakeConnection extends EventEmitter {
  updateSecret = jest.fn(async () => undefined);
  close = jest.fn(async () => {
    this.emit('close');
  });
}

const connections: FakeConnection[] = [];
const connectArgs: unknown[] = [];
jest.mock('amqplib', () => ({
  connect: jest.fn(async (args: unknown) => {
    connectArgs.push(args);
    const connection = new FakeConnection();
    connections.push(connection);
    return connection;
  }),
}));

function provider(): CredentialsProvider & {
  refresh(c: BrokerCredentials, i: CredentialsRefreshInfo): void;
} {
  let listener: ((c: BrokerCredentials, i: CredentialsRefreshInfo) => void) | undefined;
  let current: BrokerCredentials = { username: 'svc', token: 'token-1' };
  return {
    get: async () => current,
    current: () => current,
    onRefresh: (l) => ((listener = l), () => (listener = undefined)),
    refresh: (c, i) => {
      current = c;
      listener?.(c, i);
    },
  };
}

describe('ConnectionSupervisor', () => {
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    connections.length = 0;
    connectArgs.length = 0;
  });

  it('sets up each new connection exactly once and reconnects after a loss', async () => {
    const options = resolveTaskQueueOptions({ url: 'amqp://a,b', reconnect: { initialMs: 1, maxMs: 2 } });
    const status = new StatusEmitter();
    const seen: BackendStatus['type'][] = [];
    status.on((s) => seen.push(s.type));
    const setups: number[] = [];
    const supervisor = new ConnectionSupervisor(
      options,
      async (_c, g) => (setups.push(g), 0),
      status,
      new Logger('t'),
      'n',
    );
    await supervisor.start();
    connections[0].emit('close', new Error('CONNECTION_FORCED'));
    for (let i = 0; i < 100 && setups.length < 2; i++) await new Promise((r) => setTimeout(r, 2));
    expect(setups).toEqual([1, 2]);
    expect(supervisor.current).toBe(connections[1]);
    expect(connectArgs.map((a) => (a as { hostname: string }).hostname)).toEqual(['a', 'b']);
    expect(seen).toEqual(['connected', 'disconnected', 'reconnecting', 'connected']);
    await supervisor.close();
    expect(connections[1].close).toHaveBeenCalled();
  });

  it('pushes a refreshed token into the live connection, and reconnects for a new principal', async () => {
    const credentials = provider();
    const options = resolveTaskQueueOptions({
      url: 'amqp://h',
      credentials,
      reconnect: { initialMs: 1, maxMs: 2 },
    });
    const supervisor = new ConnectionSupervisor(
      options,
      async () => 0,
      new StatusEmitter(),
      new Logger('t'),
      'n',
    );
    await supervisor.start();
    expect(connectArgs[0]).toMatchObject({ username: 'svc', password: 'token-1' });
    credentials.refresh({ username: 'svc', token: 'token-2' }, { principalChanged: false });
    expect(connections[0].updateSecret).toHaveBeenCalledWith(Buffer.from('token-2'), 'credentials refreshed');
    credentials.refresh({ username: 'other', token: 'token-3' }, { principalChanged: true });
    for (let i = 0; i < 100 && connections.length < 2; i++) await new Promise((r) => setTimeout(r, 2));
    expect(connectArgs[1]).toMatchObject({ username: 'other', password: 'token-3' });
    await supervisor.close();
  });
});
