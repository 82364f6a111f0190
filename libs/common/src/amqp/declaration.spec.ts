import { ConfigurationError } from '../errors';
import {
  amqpDeclarationMismatch,
  amqpExchangeArgs,
  amqpQueueArgs,
  DURABLE_DECLARATION,
  resolveAmqpDeclaration,
  sameAmqpDeclaration,
} from './declaration';

const refusal = (code: number, text: string): Error =>
  Object.assign(new Error(`Operation failed: QueueDeclare; ${code} with message "${text}"`), { code });

describe('AMQP declaration options (one shape for queue and streaming)', () => {
  it('defaults to a durable declaration without arguments', () => {
    expect(resolveAmqpDeclaration(undefined, 'x', 'queue')).toBe(DURABLE_DECLARATION);
    expect(amqpQueueArgs(DURABLE_DECLARATION)).toEqual({ durable: true });
    expect(amqpExchangeArgs(DURABLE_DECLARATION)).toEqual({ durable: true });
  });

  it("maps pika's defaults and every flag to amqplib's declare options", () => {
    const pika = resolveAmqpDeclaration({ durable: false }, 'x', 'queue');
    expect(amqpQueueArgs(pika)).toEqual({ durable: false });
    const all = resolveAmqpDeclaration(
      { durable: false, exclusive: true, autoDelete: true, arguments: { 'x-message-ttl': 1000 } },
      'x',
      'queue',
    );
    expect(amqpQueueArgs(all, { 'x-max-priority': 5 })).toEqual({
      durable: false,
      exclusive: true,
      autoDelete: true,
      arguments: { 'x-max-priority': 5, 'x-message-ttl': 1000 },
    });
    const exchange = resolveAmqpDeclaration({ durable: false, autoDelete: true }, 'x', 'exchange');
    expect(amqpExchangeArgs(exchange)).toEqual({ durable: false, autoDelete: true });
  });

  it('refuses unknown keys, exclusive exchanges and values of the wrong type, naming the option', () => {
    expect(() => resolveAmqpDeclaration({ durabel: false }, 'W.queueOptions', 'queue')).toThrow(
      expect.objectContaining({
        option: 'W.queueOptions.durabel',
        expected: expect.stringContaining('"durable"'),
      }),
    );
    expect(() => resolveAmqpDeclaration({ exclusive: true }, 'publish.exchangeOptions', 'exchange')).toThrow(
      expect.objectContaining({ option: 'publish.exchangeOptions.exclusive' }),
    );
    expect(() => resolveAmqpDeclaration({ durable: 'no' }, 'o', 'queue')).toThrow(
      expect.objectContaining({ option: 'o.durable', expected: 'true or false' }),
    );
    expect(() => resolveAmqpDeclaration({ arguments: [1] }, 'o', 'queue')).toThrow(
      expect.objectContaining({ option: 'o.arguments' }),
    );
    expect(() => resolveAmqpDeclaration('durable', 'o', 'queue')).toThrow(ConfigurationError);
  });

  it('compares declarations by flags and arguments', () => {
    const a = resolveAmqpDeclaration({ durable: false, arguments: { b: 1, a: 2 } }, 'x', 'queue');
    const b = resolveAmqpDeclaration({ arguments: { a: 2, b: 1 }, durable: false }, 'x', 'queue');
    expect(sameAmqpDeclaration(a, b)).toBe(true);
    expect(sameAmqpDeclaration(a, DURABLE_DECLARATION)).toBe(false);
  });

  it('names the queue and the differing flag of a PRECONDITION_FAILED refusal, with the value the broker holds', () => {
    const error = amqpDeclarationMismatch(
      refusal(
        406,
        "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'stats' in vhost '/': received 'true' but current is 'false'",
      ),
      { kind: 'queue', name: 'stats', option: 'StatsWorker.compute @TaskHandler.queueOptions' },
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error?.option).toBe('StatsWorker.compute @TaskHandler.queueOptions.durable');
    expect(error?.message).toContain('expected false as declared on the existing queue "stats"');
    expect(error?.message).toContain('received true');
  });

  it('names auto_delete as autoDelete, arguments by key, and lets the caller rename an argument', () => {
    const autoDelete = amqpDeclarationMismatch(
      refusal(
        406,
        "PRECONDITION_FAILED - inequivalent arg 'auto_delete' for exchange 'logs' in vhost '/': received 'true' but current is 'false'",
      ),
      { kind: 'exchange', name: 'logs', option: 'publish.exchangeOptions' },
    );
    expect(autoDelete?.option).toBe('publish.exchangeOptions.autoDelete');
    expect(autoDelete?.message).toContain('exchange "logs"');
    const text =
      "PRECONDITION_FAILED - inequivalent arg 'x-max-priority' for queue 'q' in vhost '/': received the value '5' of type 'byte' but current is none";
    const argument = amqpDeclarationMismatch(refusal(406, text), { kind: 'queue', name: 'q', option: 'o' });
    expect(argument?.option).toBe('o.arguments.x-max-priority');
    expect(argument?.message).toContain('expected absent');
    expect(argument?.message).toContain('received 5');
    const renamed = amqpDeclarationMismatch(refusal(406, text), {
      kind: 'queue',
      name: 'q',
      option: 'o',
      argumentOption: (arg) => (arg === 'x-max-priority' ? 'TaskQueueModule.maxPriority' : undefined),
    });
    expect(renamed?.option).toBe('TaskQueueModule.maxPriority');
  });

  it('names exclusive on a RESOURCE_LOCKED refusal, and leaves other failures to the caller', () => {
    const locked = amqpDeclarationMismatch(
      refusal(
        405,
        "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'q' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.",
      ),
      { kind: 'queue', name: 'q', option: 'o' },
    );
    expect(locked?.option).toBe('o.exclusive');
    expect(
      amqpDeclarationMismatch(refusal(404, 'NOT_FOUND - no queue'), {
        kind: 'queue',
        name: 'q',
        option: 'o',
      }),
    ).toBeUndefined();
    expect(
      amqpDeclarationMismatch(new Error('socket closed'), { kind: 'queue', name: 'q', option: 'o' }),
    ).toBeUndefined();
  });
});
