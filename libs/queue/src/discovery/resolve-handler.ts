import {
  assertInteger,
  assertKnownOptions,
  assertNonEmptyString,
  assertOneOf,
  ConfigurationError,
} from '@databus/common';
import type {
  EventSubscriberOptions,
  QueueHandlerMetadata,
  TaskHandlerOptions,
} from '../decorators/task-handler.decorator';
import { resolveRetry, ResolvedTaskQueueOptions } from '../options/resolve-options';
import type { ResolvedHandler } from '../runtime/failure-policy';

const TASK_OPTIONS = [
  'concurrency',
  'prefetch',
  'retry',
  'deadLetter',
  'onFailure',
  'connection',
  'idempotent',
] as const satisfies readonly (keyof TaskHandlerOptions)[];
const EVENT_OPTIONS = [...TASK_OPTIONS, 'queue'] as const satisfies readonly (keyof EventSubscriberOptions)[];

/**
 * Validates a decorator's options against the module's and applies defaults. `where` names the handler
 * (`StatsWorker.compute`) so that each error names the exact option, e.g.
 * `StatsWorker.compute @TaskHandler.concurrency`.
 * - concurrency must be <= prefetch (otherwise the extra slots could never be filled);
 * - `deadLetter: true` (default) means `<queue>.dlq`, or `<exchange>.dlq` for exclusive subscribers.
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
  const deadLetter =
    o.deadLetter === undefined || o.deadLetter === true
      ? `${label}.dlq`
      : o.deadLetter === false
        ? false
        : assertNonEmptyString(o.deadLetter, `${at}.deadLetter`);
  return {
    name: where,
    label,
    source: {
      queue: queue ? { name: queue, maxPriority: options.maxPriority } : undefined,
      bindExchange: exchange,
      prefetch,
    },
    concurrency,
    retry: resolveRetry(o.retry, `${at}.retry`, options.retry),
    deadLetter,
    onFailure: assertOneOf(o.onFailure ?? 'retry', `${at}.onFailure`, ['retry', 'ack'] as const),
    idempotent: resolveIdempotent(o.idempotent, `${at}.idempotent`),
  };
}

function resolveIdempotent(value: unknown, option: string): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new ConfigurationError(option, 'a boolean');
  return value === true;
}
