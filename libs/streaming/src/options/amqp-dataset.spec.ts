import { ConfigurationError } from '@databus/common';
import { resolveAmqpDataset } from '../transport/amqp-dataset';
import { resolveConsumerOptions } from './resolve-consumer-options';

const where = "subscribe('stats')";
const resolve = (own: object) => resolveConsumerOptions('stats', own, {}, { maxWaitMs: 100 }, where);

describe('the amqp option of consumers and produce (a dataset kept as a plain queue or exchange)', () => {
  it("resolves pika's non-durable queue or exchange, and nothing when absent (a stream)", () => {
    expect(resolveAmqpDataset(undefined, 'o')).toBeUndefined();
    expect(resolveAmqpDataset({ queue: { durable: false } }, `${where}: amqp`)).toMatchObject({
      kind: 'queue',
      declare: { durable: false, exclusive: false, autoDelete: false, arguments: {} },
      option: `${where}: amqp.queue`,
    });
    const exchange = resolveAmqpDataset({ exchange: { durable: false } }, 'produce: amqp');
    expect(exchange).toMatchObject({ kind: 'exchange', option: 'produce: amqp.exchange' });
    expect(exchange?.key).not.toBe(resolveAmqpDataset({ exchange: {} }, 'produce: amqp')?.key);
  });

  it('refuses both or neither of queue and exchange, unknown keys and exclusive exchanges, naming the option', () => {
    expect(() => resolveAmqpDataset({}, 'o')).toThrow(
      expect.objectContaining({ option: 'o', expected: 'exactly one of queue or exchange' }),
    );
    expect(() => resolveAmqpDataset({ queue: {}, exchange: {} }, 'o')).toThrow(ConfigurationError);
    expect(() => resolveAmqpDataset({ topic: {} }, 'o')).toThrow(
      expect.objectContaining({ option: 'o.topic' }),
    );
    expect(() => resolveAmqpDataset({ queue: { durabel: false } }, 'o')).toThrow(
      expect.objectContaining({ option: 'o.queue.durabel' }),
    );
    expect(() => resolveAmqpDataset({ exchange: { exclusive: true } }, 'o')).toThrow(
      expect.objectContaining({ option: 'o.exchange.exclusive' }),
    );
  });

  it("takes delivery: 'at-most-once' as one attempt and no dead letter, and passes amqp through", () => {
    const resolved = resolve({ delivery: 'at-most-once', amqp: { queue: { durable: false } } });
    expect(resolved).toMatchObject({ delivery: 'at-most-once', attempts: 1, deadLetter: false });
    expect(resolved.amqp?.kind).toBe('queue');
    expect(resolve({}).delivery).toBe('at-least-once');
  });

  it.each(['retry', 'deadLetter'] as const)("refuses %s with delivery: 'at-most-once'", (key) => {
    const value = key === 'retry' ? { attempts: 3 } : 'errors';
    expect(() => resolve({ delivery: 'at-most-once', [key]: value })).toThrow(
      expect.objectContaining({
        option: `${where}: ${key}`,
        expected: expect.stringContaining("delivery: 'at-most-once'"),
      }),
    );
  });

  it('refuses an unknown delivery mode', () => {
    expect(() => resolve({ delivery: 'exactly-once' })).toThrow(
      expect.objectContaining({ option: `${where}: delivery` }),
    );
  });
});
