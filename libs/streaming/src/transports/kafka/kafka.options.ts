import {
  assertDuration,
  assertInteger,
  assertNonEmptyString,
  assertOneOf,
  ConfigurationError,
} from '@databus/common';
import { assertKnownOptions } from '@databus/common/internal';

/** SASL mechanisms the kafka transport can use. @publicApi */
export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer';

/** Consumer tuning, in milliseconds and bytes (also accepted per channel as `extraConfigs`). @publicApi */
export interface KafkaConsumerTuning {
  /** @default 30000 */
  sessionTimeoutMs?: number;
  /** @default 3000 */
  heartbeatIntervalMs?: number;
  /** @default 60000 */
  rebalanceTimeoutMs?: number;
  /** Longest broker wait per fetch, and the idle step while paused (backpressure). @default 100 */
  maxWaitTimeMs?: number;
  /** @default 1048576 */
  maxBytesPerPartition?: number;
  /** @default 1 */
  minBytes?: number;
  /** @default 10485760 */
  maxBytes?: number;
  /** Request timeout of the consumer's connections. @default the client's `requestTimeoutMs` */
  requestTimeoutMs?: number;
}

/** Options of the kafka transport (`StreamingModule.forRoot({ url: 'kafka://…', transportOptions })`). @publicApi */
export interface KafkaTransportOptions {
  /**
   * SASL. Without it: OAUTHBEARER when the credentials provider gives a `token`, PLAIN when it (or the URL)
   * gives a username and password, no SASL otherwise. `?sasl=scram-sha-512` in the URL picks the mechanism too.
   */
  sasl?: { mechanism: KafkaSaslMechanism; username?: string; password?: string };
  /** Topic this instance receives replies on. @default `<clientId>.replies` */
  replyTopic?: string;
  /** Create missing topics (broker defaults for partitions and replication) before use. @default true */
  autoCreateTopics?: boolean;
  /** Partitions of topics created by `autoCreateTopics`. @default the broker's `num.partitions` */
  numPartitions?: number;
  /**
   * Replication factor of created topics (3 on a cluster of 3: each partition on every broker). More than the
   * cluster has brokers fails at connect with a `ConfigurationError` naming this option and the size.
   * @default the broker's `default.replication.factor`
   */
  replicationFactor?: number;
  /**
   * `min.insync.replicas` of created topics: with the transport's `acks: all`, a produce is acknowledged once
   * this many replicas have it (2 of 3: an acknowledged record survives the loss of a broker, and producing
   * goes on while one is down). Needs `replicationFactor`, at most it. @default the broker's
   */
  minInsyncReplicas?: number;
  /** @default 3000 */
  connectionTimeoutMs?: number;
  /** @default 30000 */
  requestTimeoutMs?: number;
  /** @default 10000 */
  authenticationTimeoutMs?: number;
  /** Re-authenticate this long before the broker's session (token) expires. @default 10000 */
  reauthenticationThresholdMs?: number;
  /** How long `subscribe` waits for the consumer group join. @default 30000 */
  joinTimeoutMs?: number;
  consumer?: KafkaConsumerTuning;
  /** Idempotent producer (exactly-once per partition on retries; needs broker ACLs for IdempotentWrite). @default false */
  idempotent?: boolean;
  /** kafkajs log level forwarded to the transport logger (errors as warnings, warnings as debug). @default 'warn' */
  logLevel?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
}

/** Validated kafka options with defaults applied. */
export interface ResolvedKafkaOptions {
  sasl?: { mechanism: KafkaSaslMechanism; username?: string; password?: string };
  replyTopic?: string;
  autoCreateTopics: boolean;
  numPartitions?: number;
  replicationFactor?: number;
  minInsyncReplicas?: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  authenticationTimeoutMs: number;
  reauthenticationThresholdMs: number;
  joinTimeoutMs: number;
  consumer: KafkaConsumerTuning;
  idempotent: boolean;
  logLevel: NonNullable<KafkaTransportOptions['logLevel']>;
}

const MECHANISMS: readonly KafkaSaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'];
const KNOWN = [
  'sasl',
  'replyTopic',
  'autoCreateTopics',
  'numPartitions',
  'replicationFactor',
  'minInsyncReplicas',
  'connectionTimeoutMs',
  'requestTimeoutMs',
  'authenticationTimeoutMs',
  'reauthenticationThresholdMs',
  'joinTimeoutMs',
  'consumer',
  'idempotent',
  'logLevel',
];
/** Consumer keys, with the kafkajs spellings accepted as aliases. */
const CONSUMER_KEYS: Record<string, keyof KafkaConsumerTuning> = {
  sessionTimeoutMs: 'sessionTimeoutMs',
  sessionTimeout: 'sessionTimeoutMs',
  heartbeatIntervalMs: 'heartbeatIntervalMs',
  heartbeatInterval: 'heartbeatIntervalMs',
  rebalanceTimeoutMs: 'rebalanceTimeoutMs',
  rebalanceTimeout: 'rebalanceTimeoutMs',
  maxWaitTimeMs: 'maxWaitTimeMs',
  maxWaitTimeInMs: 'maxWaitTimeMs',
  maxBytesPerPartition: 'maxBytesPerPartition',
  minBytes: 'minBytes',
  maxBytes: 'maxBytes',
  requestTimeoutMs: 'requestTimeoutMs',
  requestTimeout: 'requestTimeoutMs',
};
/** The keys a channel's `extraConfigs` may set on the kafka transport (`KafkaConsumerTuning`, kafkajs spellings too). */
export const KAFKA_CONSUMER_SETTING_KEYS: readonly string[] = Object.freeze(Object.keys(CONSUMER_KEYS));
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Validates `transportOptions` of the kafka transport; a bad value fails with a `ConfigurationError` naming
 * `transportOptions.<option>`. `query` is the URL's query (`?sasl=`).
 */
export function resolveKafkaOptions(
  raw: Record<string, unknown>,
  query: Record<string, string> = {},
): ResolvedKafkaOptions {
  assertKnownOptions(raw, KNOWN, 'transportOptions');
  const o = (name: string): string => `transportOptions.${name}`;
  const duration = (name: string, fallback: number, min = 1): number =>
    raw[name] === undefined ? fallback : assertDuration(raw[name], o(name), min);
  if (raw.replyTopic !== undefined) assertTopic(raw.replyTopic, o('replyTopic'));
  if (raw.autoCreateTopics !== undefined && typeof raw.autoCreateTopics !== 'boolean')
    throw new ConfigurationError(o('autoCreateTopics'), 'a boolean');
  if (raw.idempotent !== undefined && typeof raw.idempotent !== 'boolean')
    throw new ConfigurationError(o('idempotent'), 'a boolean');
  const replicationFactor =
    raw.replicationFactor === undefined
      ? undefined
      : assertInteger(raw.replicationFactor, o('replicationFactor'), 1, 32767);
  return {
    sasl: resolveSasl(raw.sasl, query.sasl),
    replyTopic: raw.replyTopic as string | undefined,
    autoCreateTopics: (raw.autoCreateTopics as boolean | undefined) ?? true,
    numPartitions:
      raw.numPartitions === undefined ? undefined : assertInteger(raw.numPartitions, o('numPartitions'), 1),
    replicationFactor,
    minInsyncReplicas: resolveMinInsync(raw.minInsyncReplicas, replicationFactor, o('minInsyncReplicas')),
    connectionTimeoutMs: duration('connectionTimeoutMs', 3000),
    requestTimeoutMs: duration('requestTimeoutMs', 30_000),
    authenticationTimeoutMs: duration('authenticationTimeoutMs', 10_000),
    reauthenticationThresholdMs: duration('reauthenticationThresholdMs', 10_000, 0),
    joinTimeoutMs: duration('joinTimeoutMs', 30_000),
    consumer: resolveConsumerTuning(raw.consumer ?? {}, o('consumer')),
    idempotent: (raw.idempotent as boolean | undefined) ?? false,
    logLevel:
      raw.logLevel === undefined
        ? 'warn'
        : assertOneOf(raw.logLevel, o('logLevel'), ['nothing', 'error', 'warn', 'info', 'debug'] as const),
  };
}

/**
 * Validates consumer tuning (`transportOptions.consumer`, or a channel's `consumerConfig`); `path` names the
 * option in errors.
 */
export function resolveConsumerTuning(raw: unknown, path: string): KafkaConsumerTuning {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigurationError(path, 'an object of kafka consumer settings');
  const out: KafkaConsumerTuning = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const target = CONSUMER_KEYS[key];
    if (!target)
      throw new ConfigurationError(
        `${path}.${key}`,
        `a kafka consumer setting (${Object.keys(CONSUMER_KEYS).join(', ')})`,
      );
    if (value === undefined) continue;
    out[target] =
      target === 'maxBytesPerPartition' || target === 'minBytes' || target === 'maxBytes'
        ? assertInteger(value, `${path}.${key}`, 1)
        : assertDuration(value, `${path}.${key}`, 1);
  }
  if (out.heartbeatIntervalMs !== undefined && out.heartbeatIntervalMs >= (out.sessionTimeoutMs ?? 30_000))
    throw new ConfigurationError(`${path}.heartbeatIntervalMs`, 'a value lower than sessionTimeoutMs', {
      received: String(out.heartbeatIntervalMs),
    });
  return out;
}

/** Checks a Kafka topic name. */
export function assertTopic(value: unknown, option: string): string {
  assertNonEmptyString(value, option);
  if (!TOPIC.test(value as string) || value === '.' || value === '..')
    throw new ConfigurationError(
      option,
      'a Kafka topic name (letters, digits, ".", "_", "-"; at most 249 characters)',
      { received: JSON.stringify(value) },
    );
  return value as string;
}

function resolveSasl(raw: unknown, fromQuery: string | undefined): ResolvedKafkaOptions['sasl'] {
  if (raw === undefined) {
    if (fromQuery === undefined) return undefined;
    return { mechanism: assertOneOf(fromQuery.toLowerCase(), 'url ?sasl=', MECHANISMS) };
  }
  if (raw === null || typeof raw !== 'object')
    throw new ConfigurationError('transportOptions.sasl', 'an object { mechanism, username?, password? }');
  const sasl = raw as Record<string, unknown>;
  for (const key of Object.keys(sasl))
    if (!['mechanism', 'username', 'password'].includes(key))
      throw new ConfigurationError(`transportOptions.sasl.${key}`, 'one of mechanism, username, password');
  const mechanism = assertOneOf(
    typeof sasl.mechanism === 'string' ? sasl.mechanism.toLowerCase() : sasl.mechanism,
    'transportOptions.sasl.mechanism',
    MECHANISMS,
  );
  if (sasl.username !== undefined) assertNonEmptyString(sasl.username, 'transportOptions.sasl.username');
  if (sasl.password !== undefined && typeof sasl.password !== 'string')
    throw new ConfigurationError('transportOptions.sasl.password', 'a string');
  if (mechanism === 'oauthbearer' && (sasl.username !== undefined || sasl.password !== undefined))
    throw new ConfigurationError(
      'transportOptions.sasl',
      'no username/password with oauthbearer (the token comes from the credentials provider)',
    );
  return {
    mechanism,
    username: sasl.username as string | undefined,
    password: sasl.password as string | undefined,
  };
}

/** `minInsyncReplicas`: an integer from 1 to the `replicationFactor` given with it. */
function resolveMinInsync(
  value: unknown,
  replicationFactor: number | undefined,
  option: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (replicationFactor === undefined)
    throw new ConfigurationError(
      option,
      'transportOptions.replicationFactor with it (min.insync.replicas counts the replicas of each partition)',
    );
  return assertInteger(value, option, 1, replicationFactor);
}
