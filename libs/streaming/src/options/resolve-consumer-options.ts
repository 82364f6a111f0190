import {
  assertDuration,
  assertInteger,
  assertNonEmptyString,
  assertOneOf,
  ConfigurationError,
  DeliveryMode,
  ResolvedBackoff,
  resolveBackoff,
} from '@databus/common';
import { assertKnownOptions, DELIVERY_MODES } from '@databus/common/internal';
import { resolveAmqpDataset, ResolvedAmqpDataset } from '../transport/amqp-dataset';
import type { DatasetPatternMatcher } from '../transport/dataset-pattern';
import { PayloadDecoding } from '../message/codec';
import { Offset, toOffset } from '../offset/offset';
import { ConsumerOptions } from './streaming-options.interface';
import { assertDatasetName, DEAD_LETTER_SUFFIX, deadLetterOf } from '../transport/dataset-name';

/**
 * Where a consumer's dead letters go: a fixed dataset, `false` (dropped), or, for a dataset pattern, the
 * dead-letter dataset of each message's own dataset (`{ suffix: '.dlq' }`: `sensors.a.temp.dlq`).
 */
export type DeadLetterTarget = string | false | { readonly suffix: string };

/** The dead-letter dataset of a message from `dataset` (`false`: none). */
export function deadLetterDataset(target: DeadLetterTarget, dataset: string): string | false {
  return typeof target === 'object' ? `${dataset}${target.suffix}` : target;
}

/** Consumer options with every default applied. */
export interface ResolvedConsumerOptions {
  group?: string;
  offset: Offset;
  batch: number;
  maxWaitMs: number;
  prefetch: number;
  concurrency: number;
  autoCommit: boolean;
  attempts: number;
  backoff: ResolvedBackoff;
  /** A dataset, `false`, or for a pattern by default each message's own `<dataset>.dlq`. */
  deadLetter: DeadLetterTarget;
  decode: PayloadDecoding;
  delivery: DeliveryMode;
  amqp?: ResolvedAmqpDataset;
}

const KNOWN = new Set([
  'group',
  'offset',
  'batch',
  'maxWaitMs',
  'prefetch',
  'concurrency',
  'autoCommit',
  'retry',
  'deadLetter',
  'decode',
  'connection',
  'callback',
  'delivery',
  'amqp',
]);
const RETRY_BACKOFF = { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.2 };

/**
 * Merges a consumer's options over the module's `consumerDefaults` and validates them.
 * `where` names the consumer in errors, e.g. `@OnDatasetMessage('readings') on StoreController.onReading`.
 * For a dataset pattern (`fallbacks.pattern`, `dataset` its text) the default dead letter is each message's
 * own `<dataset>.dlq`, and a `deadLetter` the pattern matches is refused (the consumer would read its own
 * dead letters).
 */
export function resolveConsumerOptions(
  dataset: string,
  own: ConsumerOptions,
  defaults: ConsumerOptions,
  fallbacks: { group?: string; maxWaitMs: number; pattern?: DatasetPatternMatcher },
  where: string,
): ResolvedConsumerOptions {
  // A pattern (its text in `dataset`) was checked by parseDatasetPattern; a name is checked here.
  if (!fallbacks.pattern) assertDatasetName(dataset, `${where}: dataset`);
  assertKnownOptions(own, KNOWN, `${where}:`);
  const o = { ...defaults, ...stripUndefined(own ?? {}) };
  const opt = (name: string): string => `${where}: ${name}`;
  const batch = assertInteger(o.batch ?? 10, opt('batch'), 1, 10_000);
  const concurrency = assertInteger(o.concurrency ?? 1, opt('concurrency'), 1, 10_000);
  const prefetch = assertInteger(
    o.prefetch ?? 2 * Math.max(batch, concurrency),
    opt('prefetch'),
    1,
    1_000_000,
  );
  if (prefetch < batch)
    throw new ConfigurationError(opt('prefetch'), `a value >= batch (${batch})`, {
      received: String(prefetch),
    });
  if (prefetch < concurrency)
    throw new ConfigurationError(opt('prefetch'), `a value >= concurrency (${concurrency})`, {
      received: String(prefetch),
    });
  const retry = o.retry ?? {};
  if (typeof retry !== 'object') throw new ConfigurationError(opt('retry'), '{ attempts, backoff }');
  const pattern = fallbacks.pattern;
  const deadLetter: DeadLetterTarget =
    o.deadLetter !== undefined
      ? o.deadLetter
      : pattern
        ? { suffix: DEAD_LETTER_SUFFIX }
        : deadLetterOf(dataset);
  // The default `<dataset>.dlq` is derived from a checked name; a name the user gives is checked like any dataset.
  if (o.deadLetter !== undefined && o.deadLetter !== false)
    assertDatasetName(o.deadLetter, opt('deadLetter'));
  if (deadLetter === dataset || (typeof deadLetter === 'string' && pattern?.matches(deadLetter)))
    throw new ConfigurationError(opt('deadLetter'), 'a dataset other than the one consumed', {
      received: JSON.stringify(deadLetter),
    });
  if (o.autoCommit !== undefined && typeof o.autoCommit !== 'boolean')
    throw new ConfigurationError(opt('autoCommit'), 'a boolean');
  const delivery = assertOneOf(o.delivery ?? 'at-least-once', opt('delivery'), DELIVERY_MODES);
  if (delivery === 'at-most-once')
    for (const key of ['retry', 'deadLetter'] as const)
      if (own?.[key] !== undefined)
        throw new ConfigurationError(
          opt(key),
          `no ${key} with delivery: 'at-most-once' (a failed message is dropped, never retried or dead-lettered); remove ${key}, or use delivery: 'at-least-once'`,
          { received: JSON.stringify(own[key]) },
        );
  const group = o.group ?? fallbacks.group;
  if (group !== undefined) assertNonEmptyString(group, opt('group'));
  return {
    group,
    offset: toOffset(o.offset, opt('offset')),
    batch,
    maxWaitMs: assertDuration(o.maxWaitMs ?? fallbacks.maxWaitMs, opt('maxWaitMs'), 0),
    prefetch,
    concurrency,
    autoCommit: o.autoCommit ?? true,
    attempts:
      delivery === 'at-most-once' ? 1 : assertInteger(retry.attempts ?? 3, opt('retry.attempts'), 1, 1000),
    backoff: resolveBackoff(
      { ...RETRY_BACKOFF, ...stripUndefined(retry.backoff ?? {}) },
      opt('retry.backoff'),
    ),
    deadLetter: delivery === 'at-most-once' ? false : deadLetter,
    decode: assertOneOf(o.decode ?? 'json', opt('decode'), ['json', 'text', 'raw'] as const),
    delivery,
    amqp: resolveAmqpDataset(o.amqp, opt('amqp')),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
