import { assertDuration, assertInteger, assertOneOf, ConfigurationError } from '@databus/common';
import { assertKnownOptions } from '@databus/common/internal';

/** Retention and placement of the JetStream stream behind each dataset. @publicApi */
export interface NatsStreamOptions {
  /** Messages older than this are removed. `0` keeps them forever. @default 7 days */
  maxAgeMs?: number;
  /** At most this many messages per dataset. `-1` is unlimited. @default -1 */
  maxMessages?: number;
  /** At most this many bytes per dataset. `-1` is unlimited. @default -1 */
  maxBytes?: number;
  /**
   * Copies of the stream kept in a clustered JetStream (1–5): with 3, the stream survives the loss of one
   * node (a new leader is elected; publishes and consumers carry on). More than the cluster has nodes is
   * refused at connect with a `ConfigurationError` naming `transportOptions.stream.replicas`.
   * @default 1
   */
  replicas?: number;
  /** Where the server keeps the messages. @default 'file' */
  storage?: 'file' | 'memory';
}

/** Options of the NATS JetStream transport (`transportOptions` with `nats://` or `tls://`). @publicApi */
export interface NatsTransportOptions {
  /** Stream name prefix; the stream of dataset `x` is `<streamPrefix><x>` (sanitized). @default 'DATABUS_' */
  streamPrefix?: string;
  /** Subject prefix; dataset `x` is stored on subject `<subjectPrefix><x>`. @default '' */
  subjectPrefix?: string;
  /** Retention of streams this transport creates (existing streams are never changed). */
  stream?: NatsStreamOptions;
  /** How long the server waits for an acknowledgement before delivering a message again. @default 60_000 */
  ackWaitMs?: number;
  /**
   * In-flight (delivered, unacknowledged) limit of a durable group's consumer, shared by all members.
   * @default the subscription's `prefetch`
   */
  maxAckPending?: number;
  /** A private (ephemeral) subscription's consumer is removed after this long without a client. @default 300_000 */
  ephemeralInactiveMs?: number;
  /**
   * Copies of each consumer's state (position, pending acknowledgements) in a clustered JetStream (1–5), at
   * most the stream's replicas. A consumer with fewer copies than its stream stops when its node is lost
   * (a private subscription's is then replaced at its oldest unfinished message); with as many, it moves to
   * a surviving node. Above the cluster's size: `ConfigurationError` at connect.
   * @default a group's consumer: the stream's replicas; a private subscription's: 1 (the server's defaults)
   */
  consumerReplicas?: number;
  /** Lifetime of each pull request; also paces recovery checks after a disconnect. @default 5_000 */
  pullExpiresMs?: number;
  /** Timeout of one JetStream API call or publish acknowledgement. @default 5_000 */
  apiTimeoutMs?: number;
  /** Publish with a `Nats-Msg-Id` so that retries during an outage are not stored twice. @default true */
  dedupe?: boolean;
  /** Client ping interval; two missed pongs mark the connection stale. @default 10_000 */
  pingIntervalMs?: number;
}

/** NATS options with every default applied. */
export interface ResolvedNatsOptions {
  streamPrefix: string;
  subjectPrefix: string;
  stream: Required<NatsStreamOptions>;
  ackWaitMs: number;
  maxAckPending?: number;
  ephemeralInactiveMs: number;
  /** Undefined: the server's default (a durable consumer follows its stream). */
  consumerReplicas?: number;
  pullExpiresMs: number;
  apiTimeoutMs: number;
  dedupe: boolean;
  pingIntervalMs: number;
}

const KNOWN = [
  'streamPrefix',
  'subjectPrefix',
  'stream',
  'ackWaitMs',
  'maxAckPending',
  'ephemeralInactiveMs',
  'consumerReplicas',
  'pullExpiresMs',
  'apiTimeoutMs',
  'dedupe',
  'pingIntervalMs',
];
const STREAM_KNOWN = ['maxAgeMs', 'maxMessages', 'maxBytes', 'replicas', 'storage'];
const MAX_DURATION = Number.MAX_SAFE_INTEGER;
const opt = (name: string): string => `transportOptions.${name}`;

/** Validates `transportOptions` for the NATS transport; errors name `transportOptions.<x>`. */
export function resolveNatsOptions(raw: Record<string, unknown>): ResolvedNatsOptions {
  assertKnownOptions(raw, KNOWN, 'transportOptions');
  const stream = (raw.stream ?? {}) as Record<string, unknown>;
  if (typeof stream !== 'object' || stream === null || Array.isArray(stream))
    throw new ConfigurationError(opt('stream'), `an object with ${STREAM_KNOWN.join(', ')}`);
  assertKnownOptions(stream, STREAM_KNOWN, 'transportOptions.stream');
  const dedupe = raw.dedupe ?? true;
  if (typeof dedupe !== 'boolean') throw new ConfigurationError(opt('dedupe'), 'a boolean');
  return {
    streamPrefix: prefix(raw.streamPrefix ?? 'DATABUS_', 'streamPrefix', /^[A-Za-z0-9_-]*$/),
    subjectPrefix: prefix(raw.subjectPrefix ?? '', 'subjectPrefix', /^([A-Za-z0-9_-]+\.)*$/),
    stream: {
      maxAgeMs: assertDuration(stream.maxAgeMs ?? 7 * 24 * 3600_000, opt('stream.maxAgeMs'), 0, MAX_DURATION),
      maxMessages: assertInteger(stream.maxMessages ?? -1, opt('stream.maxMessages'), -1),
      maxBytes: assertInteger(stream.maxBytes ?? -1, opt('stream.maxBytes'), -1),
      replicas: assertInteger(stream.replicas ?? 1, opt('stream.replicas'), 1, 5),
      storage: assertOneOf(stream.storage ?? 'file', opt('stream.storage'), ['file', 'memory'] as const),
    },
    ackWaitMs: assertDuration(raw.ackWaitMs ?? 60_000, opt('ackWaitMs'), 1000),
    maxAckPending:
      raw.maxAckPending === undefined ? undefined : assertInteger(raw.maxAckPending, opt('maxAckPending'), 1),
    ephemeralInactiveMs: assertDuration(raw.ephemeralInactiveMs ?? 300_000, opt('ephemeralInactiveMs'), 1000),
    consumerReplicas:
      raw.consumerReplicas === undefined
        ? undefined
        : assertInteger(raw.consumerReplicas, opt('consumerReplicas'), 1, 5),
    pullExpiresMs: assertDuration(raw.pullExpiresMs ?? 5_000, opt('pullExpiresMs'), 1000, 300_000),
    apiTimeoutMs: assertDuration(raw.apiTimeoutMs ?? 5_000, opt('apiTimeoutMs'), 100),
    dedupe,
    pingIntervalMs: assertDuration(raw.pingIntervalMs ?? 10_000, opt('pingIntervalMs'), 100),
  };
}

function prefix(value: unknown, name: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value))
    throw new ConfigurationError(
      opt(name),
      name === 'subjectPrefix'
        ? 'empty, or subject tokens ending with a dot (e.g. "databus.")'
        : 'letters, digits, "_" or "-"',
      { received: typeof value === 'string' ? JSON.stringify(value) : typeof value },
    );
  return value;
}
