import { assertDuration, assertInteger, ConfigurationError } from '@databus/common';
import { assertKnownOptions } from '@databus/common/internal';

/** History a dataset's stream keeps (RabbitMQ `x-max-age` / `x-max-length-bytes`). @publicApi */
export interface AmqpRetentionOptions {
  /** Age after which whole segments are dropped: a number and a unit (`Y`, `M`, `D`, `h`, `m`, `s`), e.g. `'7D'`. */
  maxAge?: string;
  /** Total size the stream may reach before its oldest segments are dropped. */
  maxLengthBytes?: number;
  /** Size of one segment file (`x-stream-max-segment-size-bytes`); retention drops whole segments. */
  maxSegmentSizeBytes?: number;
}

/** Options of the amqp transport (`transportOptions` with `amqp://` / `amqps://`). @publicApi */
export interface AmqpTransportOptions {
  /** Retention of the streams this transport declares. @default { maxAge: '7D' } */
  retention?: AmqpRetentionOptions;
  /**
   * Nodes of a RabbitMQ cluster that hold each stream this transport declares (`x-initial-cluster-size`):
   * with 3, a stream keeps working when one of them is lost. A single node accepts any value and keeps one
   * copy; a cluster smaller than the value places the stream on every node. Existing streams keep theirs.
   * @default the broker's (every node of the cluster)
   */
  replicas?: number;
  /** AMQP heartbeat in seconds (0 turns it off). @default 10 */
  heartbeatSeconds?: number;
  /**
   * The socket timeout of one connect attempt: how long the TCP/TLS socket may stay silent while it connects
   * and does the AMQP handshake before the attempt is abandoned (Node's socket idle timeout, turned off once
   * the connection is open). The whole bootstrap, every attempt included, is bounded by the module's
   * `connectTimeoutMs`. @default 10_000
   */
  socketTimeoutMs?: number;
  /**
   * @deprecated The former name of `socketTimeoutMs` (it never bounded the whole connect: that is the
   * module's `connectTimeoutMs`). Still honoured in this release, with a warning; removed in the next.
   */
  connectTimeoutMs?: number;
  /** How often a standby member of a group tries to take the group's lock. @default 1_000 */
  lockPollMs?: number;
}

/** `AmqpTransportOptions` with defaults applied. */
export interface ResolvedAmqpOptions {
  /** Queue arguments of every stream declared (`x-queue-type: stream` included). */
  streamArguments: Record<string, unknown>;
  heartbeatSeconds: number;
  socketTimeoutMs: number;
  lockPollMs: number;
}

const KNOWN = [
  'retention',
  'replicas',
  'heartbeatSeconds',
  'socketTimeoutMs',
  'connectTimeoutMs',
  'lockPollMs',
];
const RETENTION_KNOWN = ['maxAge', 'maxLengthBytes', 'maxSegmentSizeBytes'];
const MAX_AGE = /^[1-9]\d*(Y|M|D|h|m|s)$/;

/**
 * Validates `transportOptions` for the amqp transport; errors name `transportOptions.<option>`. `warn` gets
 * one line per deprecated option in use (the transport's logger).
 */
export function resolveAmqpOptions(
  raw: Record<string, unknown>,
  warn: (message: string) => void = () => undefined,
): ResolvedAmqpOptions {
  assertKnownOptions(raw, KNOWN, 'transportOptions');
  const args = streamArguments(raw.retention);
  if (raw.replicas !== undefined)
    args['x-initial-cluster-size'] = assertInteger(raw.replicas, 'transportOptions.replicas', 1, 255);
  return {
    streamArguments: args,
    heartbeatSeconds: assertInteger(raw.heartbeatSeconds ?? 10, 'transportOptions.heartbeatSeconds', 0, 3600),
    socketTimeoutMs: resolveSocketTimeout(raw, warn),
    lockPollMs: assertDuration(raw.lockPollMs ?? 1_000, 'transportOptions.lockPollMs', 10),
  };
}

/** `socketTimeoutMs`, or its deprecated former name `connectTimeoutMs` (with a warning); both must agree. */
function resolveSocketTimeout(raw: Record<string, unknown>, warn: (message: string) => void): number {
  const current =
    raw.socketTimeoutMs === undefined
      ? undefined
      : assertDuration(raw.socketTimeoutMs, 'transportOptions.socketTimeoutMs', 1);
  if (raw.connectTimeoutMs === undefined) return current ?? 10_000;
  const former = assertDuration(raw.connectTimeoutMs, 'transportOptions.connectTimeoutMs', 1);
  if (current !== undefined && current !== former)
    throw new ConfigurationError(
      'transportOptions.socketTimeoutMs',
      'the same value as transportOptions.connectTimeoutMs (its deprecated former name), or only socketTimeoutMs',
      { received: `socketTimeoutMs: ${current}, connectTimeoutMs: ${former}` },
    );
  warn(
    'transportOptions.connectTimeoutMs of the amqp transport is deprecated and will be removed in the next release: ' +
      'it is the socket timeout of one connect attempt, now named transportOptions.socketTimeoutMs; rename it ' +
      "(the module's connectTimeoutMs bounds the whole bootstrap).",
  );
  return former;
}

function streamArguments(value: unknown): Record<string, unknown> {
  const args: Record<string, unknown> = { 'x-queue-type': 'stream' };
  if (value === undefined) return { ...args, 'x-max-age': '7D' };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigurationError(
      'transportOptions.retention',
      '{ maxAge?, maxLengthBytes?, maxSegmentSizeBytes? }',
    );
  const retention = value as Record<string, unknown>;
  assertKnownOptions(retention, RETENTION_KNOWN, 'transportOptions.retention');
  if (retention.maxAge !== undefined) {
    if (typeof retention.maxAge !== 'string' || !MAX_AGE.test(retention.maxAge))
      throw new ConfigurationError(
        'transportOptions.retention.maxAge',
        "a number and a unit among Y, M, D, h, m, s (e.g. '7D', '12h')",
        {
          received:
            typeof retention.maxAge === 'string' ? JSON.stringify(retention.maxAge) : typeof retention.maxAge,
        },
      );
    args['x-max-age'] = retention.maxAge;
  }
  if (retention.maxLengthBytes !== undefined)
    args['x-max-length-bytes'] = assertInteger(
      retention.maxLengthBytes,
      'transportOptions.retention.maxLengthBytes',
      1,
    );
  if (retention.maxSegmentSizeBytes !== undefined)
    args['x-stream-max-segment-size-bytes'] = assertInteger(
      retention.maxSegmentSizeBytes,
      'transportOptions.retention.maxSegmentSizeBytes',
      1,
    );
  return args;
}
