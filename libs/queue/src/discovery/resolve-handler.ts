import { assertInteger, assertNonEmptyString, assertOneOf, ConfigurationError } from '@databus/common';
import { assertKnownOptions, DELIVERY_MODES } from '@databus/common/internal';
import { resolveAmqpDeclaration } from '@databus/common/amqp';
import type {
  EventSubscriberOptions,
  QueueHandlerMetadata,
  TaskHandlerOptions,
} from '../decorators/task-handler.decorator';
import { resolveRetry, ResolvedTaskQueueOptions, workQueueDeclaration } from '../options/resolve-options';
import type { ResolvedHandler } from '../runtime/failure-policy';

const TASK_OPTIONS = [
  'concurrency',
  'prefetch',
  'retry',
  'deadLetter',
  'onFailure',
  'connection',
  'idempotent',
  'delivery',
  'queueOptions',
] as const satisfies readonly (keyof TaskHandlerOptions)[];
const EVENT_OPTIONS = [
  ...TASK_OPTIONS,
  'queue',
  'exchangeOptions',
] as const satisfies readonly (keyof EventSubscriberOptions)[];
/** Options that make no sense when the broker forgets a message as it sends it. */
const AT_LEAST_ONCE_ONLY = ['retry', 'deadLetter', 'onFailure'] as const;

/**
 * Validates a decorator's options against the module's and applies defaults. `where` names the handler
 * (`StatsWorker.compute`) so that each error names the exact option, e.g.
 * `StatsWorker.compute @TaskHandler.concurrency`.
 * - concurrency must be <= prefetch (otherwise the extra slots could never be filled);
 * - `deadLetter: true` (default) means `<queue>.dlq`, or `<exchange>.dlq` for exclusive subscribers;
 * - `queueOptions` / `exchangeOptions` are validated by the shared AMQP layer (`resolveAmqpDeclaration`);
 * - `delivery: 'at-most-once'` consumes with noAck and refuses `retry`, `deadLetter` and `onFailure`.
 */
export function resolveHandler(
  meta: QueueHandlerMetadata,
  options: ResolvedTaskQueueOptions,
  where: string,
): ResolvedHandler {
  const decorator = meta.kind === 'task' ? '@TaskHandler' : '@EventSubscriber';
  const at = `${where} ${decorator}`;
  const o = meta.options ?? {};
  assertKnownOptions(o, meta.kind === 'task' ? TASK_OPTIONS : EVENT_OPTIONS, at);
  const queue = meta.queue === undefined ? undefined : assertNonEmptyString(meta.queue, `${at}.queue`);
  const exchange =
    meta.exchange === undefined ? undefined : assertNonEmptyString(meta.exchange, `${at}.exchange`);
  if (meta.kind === 'task' && !queue) throw new ConfigurationError(`${at}.queue`, 'a queue name');
  const prefetch = assertInteger(o.prefetch ?? options.prefetch, `${at}.prefetch`, 1, 65_535);
  const concurrency = assertInteger(o.concurrency ?? 1, `${at}.concurrency`, 1, 65_535);
  if (concurrency > prefetch)
    throw new ConfigurationError(
      `${at}.concurrency`,
      `at most the prefetch (${prefetch}); raise prefetch or lower concurrency`,
      {
        received: String(concurrency),
      },
    );
  const label = (queue ?? exchange) as string;
  const delivery = assertOneOf(o.delivery ?? 'at-least-once', `${at}.delivery`, DELIVERY_MODES);
  const queueOptions = o.queueOptions;
  if (queueOptions !== undefined && !queue)
    throw new ConfigurationError(
      `${at}.queueOptions`,
      'a named queue (the queue option) to declare; an unnamed subscriber gets an exclusive, auto-delete queue',
    );
  const source = {
    queue: queue
      ? workQueueDeclaration(
          queue,
          options.maxPriority,
          resolveAmqpDeclaration(queueOptions, `${at}.queueOptions`, 'queue'),
          `${at}.queueOptions`,
        )
      : undefined,
    bindExchange: exchange,
    exchange: exchange
      ? {
          declare: resolveAmqpDeclaration(o.exchangeOptions, `${at}.exchangeOptions`, 'exchange'),
          option: `${at}.exchangeOptions`,
        }
      : undefined,
    prefetch,
    ...(delivery === 'at-most-once' && { noAck: true }),
  };
  if (delivery === 'at-most-once') {
    const conflict = AT_LEAST_ONCE_ONLY.find((key) => o[key] !== undefined);
    if (conflict)
      throw new ConfigurationError(
        `${at}.${conflict}`,
        `no ${conflict} with delivery: 'at-most-once' (the broker forgets each message as it sends it, so a failed one cannot be retried or dead-lettered); remove ${conflict}, or use delivery: 'at-least-once'`,
        { received: JSON.stringify(o[conflict]) },
      );
    return {
      name: where,
      label,
      source,
      concurrency,
      retry: { attempts: 1, backoff: options.retry.backoff },
      deadLetter: false,
      onFailure: 'ack',
      idempotent: resolveIdempotent(o.idempotent, `${at}.idempotent`),
      delivery,
    };
  }
  const deadLetter =
    o.deadLetter === undefined || o.deadLetter === true
      ? `${label}.dlq`
      : o.deadLetter === false
        ? false
        : assertNonEmptyString(o.deadLetter, `${at}.deadLetter`);
  return {
    name: where,
    label,
    source,
    concurrency,
    retry: resolveRetry(o.retry, `${at}.retry`, options.retry),
    deadLetter,
    onFailure: assertOneOf(o.onFailure ?? 'retry', `${at}.onFailure`, ['retry', 'ack'] as const),
    idempotent: resolveIdempotent(o.idempotent, `${at}.idempotent`),
    delivery,
  };
}

function resolveIdempotent(value: unknown, option: string): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new ConfigurationError(option, 'a boolean');
  return value === true;
}
