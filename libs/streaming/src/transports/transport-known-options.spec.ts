import { ConfigurationError, parseBrokerUrl } from '@databus/common';
import { resolveAmqpOptions } from './amqp/amqp.options';
import { resolveKafkaOptions } from './kafka/kafka.options';
import { resolveMemoryOptions } from './memory/memory.options';
import { resolveMqttOptions } from './mqtt/mqtt.options';
import { resolveNatsOptions } from './nats/nats.options';
import { resolveRestOptions } from './rest/rest.options';

/** The error a resolver throws for `raw`, or undefined. */
function failure(resolve: () => unknown): unknown {
  try {
    resolve();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** One known-options check behind every transport: a typo names the option and the name it resembles. */
describe('a typo in transportOptions fails naming the option, on every transport', () => {
  const rest = (raw: Record<string, unknown>) =>
    resolveRestOptions(parseBrokerUrl('rest+https://streaming.example'), true, raw);
  it.each<[string, () => unknown, string, string]>([
    ['memory', () => resolveMemoryOptions({ retension: {} }), 'transportOptions.retension', 'retention'],
    ['amqp', () => resolveAmqpOptions({ replica: 3 }), 'transportOptions.replica', 'replicas'],
    [
      'amqp retention',
      () => resolveAmqpOptions({ retention: { maxAges: '7D' } }),
      'transportOptions.retention.maxAges',
      'maxAge',
    ],
    ['mqtt', () => resolveMqttOptions({ maxInflights: 5 }), 'transportOptions.maxInflights', 'maxInflight'],
    ['nats', () => resolveNatsOptions({ ackWaitMS: 5 }), 'transportOptions.ackWaitMS', 'ackWaitMs'],
    [
      'nats stream',
      () => resolveNatsOptions({ stream: { replica: 3 } }),
      'transportOptions.stream.replica',
      'replicas',
    ],
    ['kafka', () => resolveKafkaOptions({ idempotnet: true }), 'transportOptions.idempotnet', 'idempotent'],
    ['rest', () => rest({ pollIntervallMs: 5 }), 'transportOptions.pollIntervallMs', 'pollIntervalMs'],
  ])('%s', (_transport, resolve, option, closest) => {
    const error = failure(resolve);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe(option);
    expect((error as Error).message).toContain(`expected "${closest}" (a typo?) or another known option (`);
  });
});
