import { UnsupportedFeatureError } from '@databus/common';
import { Offset } from '../offset/offset';

/**
 * What a transport can do. The shared runtime checks subscriptions against these before opening anything,
 * so an impossible request fails at subscribe/bootstrap with `UnsupportedFeatureError`, never deep at runtime.
 * @publicApi
 */
export interface TransportCapabilities {
  /** `Offset.sequence(n)` as a start position or seek target. */
  readonly seekBySequence: boolean;
  /** `Offset.time(date)` as a start position or seek target. */
  readonly seekByTime: boolean;
  /** `seek()` on a live subscription. */
  readonly seek: boolean;
  /** `Offset.BEGIN` reaches stored history. */
  readonly history: boolean;
  /** Consumer groups whose position survives a restart. */
  readonly durableGroups: boolean;
  readonly requestReply: boolean;
  /**
   * `individual`: each message is acknowledged on its own (NATS, AMQP queues, MQTT, memory);
   * `position`: a committed position covers every earlier message (Kafka, RabbitMQ streams), so the runtime
   * only ever commits the watermark below the oldest unfinished message.
   */
  readonly ackMode: 'individual' | 'position';
  /** Negative acknowledgement that makes the broker deliver a message again. */
  readonly nack: boolean;
}

/**
 * Fails with `UnsupportedFeatureError` when `offset` needs a capability the transport lacks.
 * `context` says where the offset came from (e.g. `@OnDatasetMessage('x') offset`).
 */
export function assertOffsetSupported(
  transport: string,
  capabilities: TransportCapabilities,
  offset: Offset,
  context: string,
): void {
  if (offset.kind === 'sequence' && !capabilities.seekBySequence)
    throw new UnsupportedFeatureError(
      transport,
      'positions by sequence',
      `${context} asks for ${offset.kind} ${offset.sequence}`,
    );
  if (offset.kind === 'time' && !capabilities.seekByTime)
    throw new UnsupportedFeatureError(transport, 'positions by time', `${context} asks for a start time`);
}
