import { AmqpDeclareOptions, ConfigurationError } from '@databus/common';
import { assertKnownOptions } from '@databus/common/internal';
import { declarationKey, resolveAmqpDeclaration, ResolvedAmqpDeclaration } from '@databus/common/amqp';

/**
 * How the amqp transport keeps a dataset, for interop with programs that use a plain RabbitMQ queue or
 * exchange (pika's `queue_declare(queue='stats')`, `exchange_declare(exchange='logs', exchange_type='fanout')`).
 * Absent: the dataset is a RabbitMQ stream (history, seek, durable groups). With one of these it is not:
 * - `queue`: a classic queue named after the dataset, declared with these options; producers publish to it,
 *   every subscriber competes for its messages (one shared group), nothing is kept once acknowledged;
 * - `exchange`: a fanout exchange named after the dataset, declared with these options; producers publish to
 *   it, a private subscription binds an exclusive server-named queue (every subscriber gets every message),
 *   a group binds the durable queue `<dataset>.<group>` (members share it).
 * Neither has history: `offset` and `seek` do not apply (`seek` is an `UnsupportedFeatureError`). Other
 * transports ignore this option. Give the same to every consumer and `produce()` of the dataset.
 * @publicApi
 */
export interface AmqpDatasetOptions {
  /** The dataset is a classic queue declared so, e.g. `{ durable: false }` for pika's default. */
  queue?: AmqpDeclareOptions;
  /** The dataset is a fanout exchange declared so, e.g. `{ durable: false }` for pika's default. */
  exchange?: AmqpDeclareOptions;
}

/** `AmqpDatasetOptions` validated: what the amqp transport declares for a dataset instead of a stream. */
export interface ResolvedAmqpDataset {
  kind: 'queue' | 'exchange';
  declare: ResolvedAmqpDeclaration;
  /** Where it was set, e.g. `subscribe('stats'): amqp.queue`, named in a mismatch error. */
  option: string;
  /** Identity of the declaration (kind and flags), to tell two targets of one dataset apart. */
  key: string;
}

/** Validates the `amqp` option of a consumer or of `produce`; `option` names it in errors. */
export function resolveAmqpDataset(value: unknown, option: string): ResolvedAmqpDataset | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigurationError(option, '{ queue } or { exchange } (AmqpDatasetOptions)');
  assertKnownOptions(value, ['queue', 'exchange'], option);
  const raw = value as AmqpDatasetOptions;
  if ((raw.queue === undefined) === (raw.exchange === undefined))
    throw new ConfigurationError(option, 'exactly one of queue or exchange', {
      received: raw.queue === undefined ? 'neither' : 'both',
    });
  const kind = raw.queue !== undefined ? 'queue' : 'exchange';
  const declare = resolveAmqpDeclaration(raw[kind], `${option}.${kind}`, kind);
  return { kind, declare, option: `${option}.${kind}`, key: `${kind}:${declarationKey(declare)}` };
}
