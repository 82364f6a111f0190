// Connection and publish faults, through both AMQP users of the shared client layer (@databus/common/amqp):
// the queue's RabbitMQ backend and the streaming amqp transport. Each fault must fail the same way (class
// and message) whichever lib the user calls, permanent ones at once, transient ones within connectTimeoutMs;
// a publish fault (an exchange deleted under the app) likewise, through the shared confirm publisher.
import { randomUUID } from 'node:crypto';
import { DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { connect } from 'amqplib';
import { ChannelService, StreamingModule } from '@databus/streaming';
import {
  AuthenticationError,
  ConfigurationError,
  PermanentError,
  TaskQueue,
  TaskQueueModule,
  TemporaryError,
} from '@databus/queue';
import { describeWithBroker } from '@databus/testing';
import { bootstrapOutcome, LogLine } from './helpers/boot';
import { generateTestCerts, TestCerts } from './helpers/test-certs';
import { startTlsProxy, TlsProxy } from './helpers/tls-proxy';

interface Connect {
  url: string;
  tls?: { ca: string };
  connectTimeoutMs?: number;
}

const reconnect = { initialMs: 50, maxMs: 100 };
const libs: Array<[string, (c: Connect) => DynamicModule]> = [
  ['@databus/streaming', (c) => StreamingModule.forRoot({ connectTimeoutMs: 10_000, reconnect, ...c })],
  ['@databus/queue', (c) => TaskQueueModule.forRoot({ connectTimeoutMs: 10_000, reconnect, ...c })],
];

async function both(connect: Connect): Promise<Array<{ error: unknown; logs: LogLine[] }>> {
  const outcomes = [];
  for (const [, module] of libs) outcomes.push(await bootstrapOutcome(module(connect)));
  return outcomes;
}

/**
 * Both libs failed the same way: the same error class (not only a common base class), the same message and,
 * for a `ConfigurationError`, the same option.
 */
function expectSameFailure(streaming: unknown, queue: unknown): void {
  expect(streaming).toBeInstanceOf(Error);
  expect((streaming as Error).constructor).toBe((queue as Error).constructor);
  expect((streaming as Error).name).toBe((queue as Error).name);
  expect((streaming as Error).message).toBe((queue as Error).message);
  expect((streaming as { option?: string }).option).toBe((queue as { option?: string }).option);
}

const warnings = (logs: LogLine[]): string[] => logs.filter((l) => l.level === 'warn').map((l) => l.message);

describeWithBroker('amqp', 'the same AMQP fault fails the same way from streaming and queue', () => {
  let certs: TestCerts;
  let proxy: TlsProxy;

  beforeAll(async () => {
    certs = await generateTestCerts();
    proxy = await startTlsProxy(certs);
  }, 30_000);
  afterAll(async () => {
    await proxy?.close();
    certs?.cleanup();
  });

  it('refused credentials: the same AuthenticationError, at once, without the password', async () => {
    const [streaming, queue] = await both({ url: 'amqp://guest:wrong-pw-77@127.0.0.1:5672' });
    for (const { error, logs } of [streaming, queue]) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toMatch(
        /^The broker at amqp:\/\/127\.0\.0\.1:5672 refused the credentials \(.*ACCESS.REFUSED.*\); check the user name and password of url, username\/password or credentials\.$/,
      );
      expect((error as Error).message).not.toContain('wrong-pw-77');
      expect(warnings(logs).filter((m) => m.startsWith('Connecting to'))).toEqual([]);
    }
    expectSameFailure(streaming.error, queue.error);
  });

  it('untrusted broker certificate: the same ConfigurationError naming tls.ca', async () => {
    const [streaming, queue] = await both({
      url: `amqps://guest:guest@localhost:${proxy.port}`,
      tls: { ca: certs.otherCa },
    });
    for (const { error } of [streaming, queue]) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ option: 'tls.ca' });
      expect((error as Error).message).toMatch(
        new RegExp(
          `^Invalid option "tls\\.ca": expected a CA that verifies the broker's certificate, received amqps://localhost:${proxy.port}, whose certificate is not trusted \\([A-Z_]+\\); check tls\\.ca and tls\\.servername\\.$`,
        ),
      );
    }
    expectSameFailure(streaming.error, queue.error);
  });

  it('unreachable port (nothing listens): the same TemporaryError naming connectTimeoutMs, one WARN line per attempt', async () => {
    const [streaming, queue] = await both({ url: 'amqp://guest:guest@127.0.0.1:1', connectTimeoutMs: 400 });
    for (const { error, logs } of [streaming, queue]) {
      expect(error).toBeInstanceOf(TemporaryError);
      expect((error as Error).message).toBe(
        'Could not connect to amqp://127.0.0.1:1 within connectTimeoutMs = 400 ms (last failure: Cannot connect to amqp://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1)',
      );
      const lines = warnings(logs);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      // The last attempt may still be running when the budget ends (a loaded machine): its line says so,
      // and the error above still names the refusal of the attempt before it.
      lines.forEach((line, i) =>
        expect(line).toMatch(
          new RegExp(
            `^Connecting to amqp://127\\.0\\.0\\.1:1 failed \\(attempt ${i + 1}\\): (Cannot connect to amqp://127\\.0\\.0\\.1:1: connect ECONNREFUSED 127\\.0\\.0\\.1:1${i === lines.length - 1 ? '|no answer within 400 ms' : ''}); (retrying in \\d+ ms|giving up)$`,
          ),
        ),
      );
      expect(lines[lines.length - 1]).toMatch(/; giving up$/);
      expect(logs.some((l) => /Disconnected from/.test(l.message))).toBe(false);
    }
    expectSameFailure(streaming.error, queue.error);
  });

  it('unreachable host (a name that does not resolve): the same TemporaryError naming connectTimeoutMs', async () => {
    const url = 'amqp://guest:guest@no-such-host.invalid:5672';
    const [streaming, queue] = await both({ url, connectTimeoutMs: 400 });
    for (const { error } of [streaming, queue]) {
      expect(error).toBeInstanceOf(TemporaryError);
      expect((error as Error).message).toMatch(
        /^Could not connect to amqp:\/\/no-such-host\.invalid:5672 within connectTimeoutMs = 400 ms \(last failure: Cannot connect to amqp:\/\/no-such-host\.invalid:5672: getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid\)$/,
      );
    }
    expectSameFailure(streaming.error, queue.error);
  });
});

describeWithBroker('amqp', 'the same publish fault fails the same way from streaming and queue', () => {
  const url = 'amqp://guest:guest@127.0.0.1:5672';

  async function deleteExchange(name: string): Promise<void> {
    const model = await connect(url);
    try {
      const channel = await model.createChannel();
      await channel.deleteExchange(name);
      await channel.close();
    } finally {
      await model.close();
    }
  }

  /** Publishes to the fanout exchange `name` once (declaring it), deletes it, and returns the next publish's error. */
  async function afterDeletion(
    name: string,
    module: DynamicModule,
    publish: (ref: { get: <T>(token: new (...args: never[]) => T) => T }) => Promise<unknown>,
  ): Promise<unknown> {
    const ref = await Test.createTestingModule({ imports: [module] }).compile();
    await ref.init();
    try {
      await publish(ref);
      await deleteExchange(name);
      return await publish(ref).then(
        () => undefined,
        (error: unknown) => error,
      );
    } finally {
      await ref.close();
      await deleteExchange(name).catch(() => undefined);
    }
  }

  it('an exchange deleted under the app: the same PermanentError at once, naming the exchange', async () => {
    const name = `faults-gone-${randomUUID().slice(0, 8)}`;
    const streaming = await afterDeletion(
      name,
      StreamingModule.forRoot({ url, logger: false, produceTimeoutMs: 30_000 }),
      (ref) => ref.get(ChannelService).produce(name, { n: 1 }, { amqp: { exchange: {} } }),
    );
    const queue = await afterDeletion(
      name,
      TaskQueueModule.forRoot({ url, publishTimeoutMs: 30_000 }),
      (ref) => ref.get(TaskQueue).publish(name, { n: 1 }),
    );
    for (const error of [streaming, queue]) {
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as Error).message).toBe(
        `The broker at amqp://127.0.0.1:5672 refused the publish: Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange '${name}' in vhost '/'"`,
      );
    }
    expectSameFailure(streaming, queue);
  });
});

describe.each(libs)(
  'permanent AMQP faults at bootstrap fail at once, naming cause and option (%s)',
  (_lib, module) => {
    describeWithBroker('amqp', 'against the loopback RabbitMQ', () => {
      const failsAtOnce = async (connect: Connect): Promise<Error> => {
        const { error, logs } = await bootstrapOutcome(module({ connectTimeoutMs: 30_000, ...connect }));
        expect(warnings(logs).filter((m) => m.startsWith('Connecting to'))).toEqual([]);
        return error as Error;
      };

      it('a vhost that does not exist: ConfigurationError naming url', async () => {
        const error = await failsAtOnce({ url: 'amqp://guest:guest@127.0.0.1:5672/no-such-vhost' });
        expect(error).toBeInstanceOf(ConfigurationError);
        expect(error.message).toBe(
          'Invalid option "url": expected a virtual host that exists on the broker and that the user may access, received amqp://127.0.0.1:5672/no-such-vhost.',
        );
      });

      it('TLS against the plain AMQP port: ConfigurationError naming url (wrong version number)', async () => {
        const error = await failsAtOnce({ url: 'amqps://guest:guest@127.0.0.1:5672' });
        expect(error).toBeInstanceOf(ConfigurationError);
        expect(error.message).toMatch(
          /^Invalid option "url": expected an amqps:\/\/ address of a TLS listener \(RabbitMQ: port 5671\), received amqps:\/\/127\.0\.0\.1:5672, where the server does not speak TLS \(wrong version number\)\.$/,
        );
      });
    });

    describeWithBroker('nats', "an amqp:// URL pointed at another protocol's port", () => {
      it('NATS on 4222: ConfigurationError naming url (frame size error)', async () => {
        const { error, logs } = await bootstrapOutcome(
          module({ url: 'amqp://guest:guest@127.0.0.1:4222', connectTimeoutMs: 30_000 }),
        );
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as Error).message).toMatch(
          /^Invalid option "url": expected the address of an AMQP 0-9-1 listener, received amqp:\/\/127\.0\.0\.1:4222, where the server does not speak AMQP \(Frame size \d+ exceeds/,
        );
        expect(warnings(logs).filter((m) => m.startsWith('Connecting to'))).toEqual([]);
      });
    });
  },
);
