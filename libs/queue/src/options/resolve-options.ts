import {
  assertDuration,
  assertInteger,
  BrokerUrl,
  ConfigurationError,
  CredentialsProvider,
  DatabusMetrics,
  LoadedTls,
  loadTlsMaterial,
  parseBrokerUrl,
  resolveBackoff,
  ResolvedBackoff,
  TlsWarn,
} from '@databus/common';
import {
  assertKnownOptions,
  assertTlsScheme,
  describeBrokerUrl,
  resolveMetrics,
} from '@databus/common/internal';
import { isQuorumDeclaration, ResolvedAmqpDeclaration } from '@databus/common/amqp';
import type { MemoryBroker } from '../backends/memory/memory-broker';
import type { QueueDeclaration } from '../backends/queue-backend.interface';
import { TaskQueueModuleOptions, TaskRetryOptions } from './task-queue-options.interface';

/** A retry policy with every default applied. */
export interface ResolvedRetry {
  attempts: number;
  backoff: ResolvedBackoff;
}

/** Module options validated and defaulted in one place; everything downstream reads only this. */
export interface ResolvedTaskQueueOptions {
  backend: 'memory' | 'rabbitmq';
  url: BrokerUrl;
  /** The URL without secrets, for logs and errors. */
  safeUrl: string;
  tls?: LoadedTls;
  username?: string;
  password?: string;
  credentials?: CredentialsProvider;
  prefetch: number;
  maxPriority: number;
  retry: ResolvedRetry;
  shutdownTimeoutMs: number;
  publishTimeoutMs: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  reconnect: ResolvedBackoff;
  heartbeatSeconds: number;
  handlers: boolean;
  metrics: DatabusMetrics;
  tracing: boolean;
  memoryBroker?: MemoryBroker;
}

/** Defaults of the task retry policy. */
export const DEFAULT_TASK_BACKOFF = Object.freeze({ initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.2 });
const DEFAULT_RECONNECT = { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.2 };
const SCHEMES: Record<string, 'memory' | 'rabbitmq'> = {
  memory: 'memory',
  amqp: 'rabbitmq',
  amqps: 'rabbitmq',
};

/** Every key of `TaskQueueModuleOptions`: anything else (a typo) fails bootstrap naming it. */
const MODULE_OPTIONS = [
  'url',
  'tls',
  'username',
  'password',
  'credentials',
  'prefetch',
  'maxPriority',
  'retry',
  'shutdownTimeoutMs',
  'publishTimeoutMs',
  'connectTimeoutMs',
  'requestTimeoutMs',
  'reconnect',
  'heartbeatSeconds',
  'handlers',
  'registerHandlers',
  'logger',
  'metrics',
  'tracing',
  'memoryBroker',
] as const satisfies readonly (keyof TaskQueueModuleOptions)[];

/**
 * Validates `options` and applies defaults. Every error is a `ConfigurationError` naming the option
 * (`TaskQueueModule.<option>`) and never containing a secret.
 */
export function resolveTaskQueueOptions(
  options: TaskQueueModuleOptions,
  warn?: TlsWarn,
): ResolvedTaskQueueOptions {
  const p = 'TaskQueueModule';
  if (!options || typeof options !== 'object') throw new ConfigurationError(p, 'an options object');
  assertKnownOptions(options, MODULE_OPTIONS, p);
  const url = parseBrokerUrl(
    options.url,
    `${p}.url`,
    'memory://, amqp://user:pass@host:5672/vhost, amqps://host',
  );
  const backend = SCHEMES[url.scheme];
  if (!backend)
    throw new ConfigurationError(`${p}.url`, 'a URL with scheme amqp://, amqps:// or memory://', {
      received: `${url.scheme}://…`,
    });
  if (backend === 'rabbitmq' && url.hosts.length === 0)
    throw new ConfigurationError(`${p}.url`, 'at least one host, e.g. amqp://localhost:5672');
  if (options.tls) assertTlsScheme(url.scheme, `${p}.tls`);
  if (options.memoryBroker && backend !== 'memory')
    throw new ConfigurationError(`${p}.memoryBroker`, 'a memory:// url');
  const tls = options.tls ? loadTlsMaterial(options.tls, `${p}.tls`, warn) : undefined;
  if (options.credentials !== undefined && typeof options.credentials?.get !== 'function')
    throw new ConfigurationError(`${p}.credentials`, 'a CredentialsProvider ({ get, current, onRefresh })');
  const prefetch = assertInteger(options.prefetch ?? 20, `${p}.prefetch`, 1, 65_535);
  return {
    backend,
    url,
    safeUrl: describeBrokerUrl(url),
    tls,
    username: options.username ?? url.username,
    password: options.password ?? url.password,
    credentials: options.credentials,
    prefetch,
    maxPriority: assertInteger(options.maxPriority ?? 0, `${p}.maxPriority`, 0, 255),
    retry: resolveRetry(options.retry, `${p}.retry`),
    shutdownTimeoutMs: assertDuration(options.shutdownTimeoutMs ?? 10_000, `${p}.shutdownTimeoutMs`),
    publishTimeoutMs: assertDuration(options.publishTimeoutMs ?? 10_000, `${p}.publishTimeoutMs`, 1),
    connectTimeoutMs: assertDuration(options.connectTimeoutMs ?? 30_000, `${p}.connectTimeoutMs`, 1),
    requestTimeoutMs: assertDuration(options.requestTimeoutMs ?? 10_000, `${p}.requestTimeoutMs`, 1),
    reconnect: resolveBackoff({ ...DEFAULT_RECONNECT, ...options.reconnect }, `${p}.reconnect`),
    heartbeatSeconds: assertInteger(options.heartbeatSeconds ?? 10, `${p}.heartbeatSeconds`, 0, 3600),
    handlers: resolveHandlersSwitch(options, p),
    metrics: resolveMetrics(options.metrics, `${p}.metrics`),
    tracing: assertBoolean(options.tracing ?? true, `${p}.tracing`),
    memoryBroker: options.memoryBroker,
  };
}

/** Applies defaults (`fallback` first, then the built-in ones) to a retry policy and validates it. */
export function resolveRetry(
  retry: TaskRetryOptions | false | undefined,
  path: string,
  fallback?: ResolvedRetry,
): ResolvedRetry {
  if (retry === false) return { attempts: 1, backoff: fallback?.backoff ?? { ...DEFAULT_TASK_BACKOFF } };
  if (retry !== undefined && (retry === null || typeof retry !== 'object'))
    throw new ConfigurationError(path, 'an object { attempts, backoff } or false');
  const attempts = assertInteger(retry?.attempts ?? fallback?.attempts ?? 5, `${path}.attempts`, 1, 1000);
  const backoff = resolveBackoff(
    { ...(fallback?.backoff ?? DEFAULT_TASK_BACKOFF), ...stripUndefined(retry?.backoff ?? {}) },
    `${path}.backoff`,
  );
  return { attempts, backoff };
}

function resolveHandlersSwitch(options: TaskQueueModuleOptions, p: string): boolean {
  const handlers =
    options.handlers === undefined ? undefined : assertBoolean(options.handlers, `${p}.handlers`);
  const legacy =
    options.registerHandlers === undefined
      ? undefined
      : assertBoolean(options.registerHandlers, `${p}.registerHandlers`);
  if (handlers !== undefined && legacy !== undefined && handlers !== legacy)
    throw new ConfigurationError(
      `${p}.handlers`,
      'the same value as registerHandlers (its deprecated alias)',
      {
        received: `handlers: ${handlers}, registerHandlers: ${legacy}`,
      },
    );
  return handlers ?? legacy ?? true;
}

function assertBoolean(value: unknown, option: string): boolean {
  if (typeof value !== 'boolean')
    throw new ConfigurationError(option, 'true or false', { received: typeof value });
  return value;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A work queue's declaration with the module's `maxPriority` (`x-max-priority`). A quorum queue
 * (`queueType: 'quorum'`, or `x-queue-type: 'quorum'` in `declare`) has no priorities on RabbitMQ 3.10, so a module `maxPriority`
 * above 0 is refused with a `ConfigurationError` naming `TaskQueueModule.maxPriority` and `option`.
 */
export function workQueueDeclaration(
  name: string,
  maxPriority: number,
  declare: ResolvedAmqpDeclaration | undefined,
  option: string,
): QueueDeclaration {
  if (declare && isQuorumDeclaration(declare) && maxPriority > 0)
    throw new ConfigurationError(
      'TaskQueueModule.maxPriority',
      `0 with the quorum queue "${name}" (${option}): quorum queues have no message priorities on RabbitMQ 3.10; set maxPriority to 0, or declare "${name}" as a classic queue (queueType: 'classic')`,
      { received: String(maxPriority) },
    );
  return declare ? { name, maxPriority, declare, option } : { name, maxPriority, option };
}
