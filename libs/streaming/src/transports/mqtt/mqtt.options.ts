import { assertDuration, assertInteger, ConfigurationError } from '@databus/common';
import { assertKnownOptions } from '@databus/common/internal';

/**
 * Options of the MQTT transport (`StreamingModule.forRoot({ url: 'mqtt://…', transportOptions })`).
 * @publicApi
 */
export interface MqttTransportOptions {
  /**
   * Most QoS 1 publishes awaiting their PUBACK at once, per connection: it **limits produce throughput** to
   * about `maxInflight` ÷ the PUBACK round trip (20 in flight at a 1 ms round trip: at most ~20k msg/s). The
   * broker's Receive Maximum (CONNACK) caps it, as MQTT 5 requires: Mosquitto advertises its
   * `max_inflight_messages`, 20 in a stock install, so raise that on the broker first. Size it as the produce
   * rate you need × the round trip under load (50k msg/s × 4 ms = 200), with headroom; each slot holds one
   * message in mqtt.js's outgoing store until its PUBACK, so memory grows by `maxInflight` × message size.
   * @default 1000
   */
  maxInflight?: number;
  /** MQTT keep-alive in seconds. @default 30 */
  keepaliveSeconds?: number;
  /** How long one connection attempt may take, CONNACK included. @default 10_000 */
  connectTimeoutMs?: number;
  /** Topic prefix of reply inboxes; every transport instance subscribes to `<inboxPrefix>/<unique id>`. @default 'databus/inbox' */
  inboxPrefix?: string;
  /**
   * After a reconnect, publishes wait up to this long for this instance's own subscriptions to be
   * re-established, so they cannot miss what it publishes. @default 5_000
   */
  reconnectHoldMs?: number;
}

/** `MqttTransportOptions` with every default applied. */
export type ResolvedMqttOptions = Required<MqttTransportOptions>;

const DEFAULTS: ResolvedMqttOptions = {
  maxInflight: 1000,
  keepaliveSeconds: 30,
  connectTimeoutMs: 10_000,
  inboxPrefix: 'databus/inbox',
  reconnectHoldMs: 5_000,
};

/** Validates `transportOptions` for the MQTT transport; errors name `transportOptions.<option>`. */
export function resolveMqttOptions(raw: Record<string, unknown>): ResolvedMqttOptions {
  assertKnownOptions(raw, Object.keys(DEFAULTS), 'transportOptions');
  const o = { ...DEFAULTS, ...raw } as ResolvedMqttOptions;
  assertInteger(o.maxInflight, 'transportOptions.maxInflight', 1, 65_535);
  assertInteger(o.keepaliveSeconds, 'transportOptions.keepaliveSeconds', 0, 65_535);
  assertDuration(o.connectTimeoutMs, 'transportOptions.connectTimeoutMs', 1);
  assertDuration(o.reconnectHoldMs, 'transportOptions.reconnectHoldMs', 0);
  if (typeof o.inboxPrefix !== 'string' || o.inboxPrefix === '' || /[+#]/.test(o.inboxPrefix))
    throw new ConfigurationError(
      'transportOptions.inboxPrefix',
      'a non-empty MQTT topic without wildcards (+ or #)',
    );
  return o;
}
