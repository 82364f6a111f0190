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
  /**
   * `TransportSubscription.ack` may be called again before an earlier call resolved: the transport keeps its
   * commits in order itself (a later call never lands a lower position than an earlier one). The runtime then
   * hands each tick's finished messages to the transport at once instead of after the previous
   * acknowledgement's round trip, so flow control (the transport's prefetch) never waits for a commit.
   * Absent or false: one `ack` call at a time per subscription.
   */
  readonly pipelinedAcks?: boolean;
  /**
   * The consumer settings of `ChannelService.open()` this transport honours. Absent: none of them (every
   * one is refused with `UnsupportedFeatureError` by `open()`).
   */
  readonly channelSettings?: ChannelSettingsCapabilities;
  /**
   * How the transport serves dataset patterns (`@OnDatasetMessage({ pattern })`, `subscribe({ pattern })`,
   * `open({ datasets: [{ pattern }] })`). Absent or `false`: a pattern is refused with
   * `UnsupportedFeatureError` at subscribe/bootstrap.
   * - `'listed'`: the transport lists the datasets that exist and match (`StreamingTransport.listDatasets`);
   *   the runtime subscribes to each, and picks up datasets created later by listing again every
   *   `StreamingModule.patternRefreshMs`, or at once where the transport tells of new datasets
   *   (`watchDatasets`). Memory (at once), NATS and Kafka (listing).
   * - `'native'`: one broker subscription with the pattern as its filter (`SubscriptionSpec.pattern`; each
   *   record names its own dataset); datasets created later arrive with it at once. MQTT (`+`, `#`).
   */
  readonly datasetPatterns?: DatasetPatternSupport;
}

/** See `TransportCapabilities.datasetPatterns`. @publicApi */
export type DatasetPatternSupport = false | 'listed' | 'native';

/**
 * How a transport treats the consumer settings of `open({ requestTimeoutMs, sessionTimeoutMs, extraConfigs })`.
 * The runtime refuses, in `open()` and before anything is created, every setting declared unsupported here;
 * a transport never ignores one silently.
 * @publicApi
 */
export interface ChannelSettingsCapabilities {
  /** `requestTimeoutMs` has an effect (Kafka: the consumer's request timeout; REST: `request.timeout.ms`). */
  readonly requestTimeoutMs: boolean;
  /**
   * `sessionTimeoutMs` has an effect: how long a silent member keeps its messages before the group gets
   * them (Kafka: session timeout; REST: `session.timeout.ms`; NATS: the group consumer's `ack_wait`;
   * MQTT: the member connection's keep-alive).
   */
  readonly sessionTimeoutMs: boolean;
  /**
   * `extraConfigs` keys accepted: `'any'` hands every key to the broker as is (REST streaming service), a
   * list accepts those keys only (Kafka: its consumer settings); an empty list refuses every key.
   */
  readonly extraConfigs: 'any' | readonly string[];
}

/** What a transport declares in `defineCapabilities`: only where it differs from the defaults. */
export type CapabilityDifferences = Partial<Omit<TransportCapabilities, 'channelSettings'>> & {
  readonly channelSettings?: Partial<ChannelSettingsCapabilities>;
};

/**
 * A transport's frozen capabilities from what it declares; what it leaves out is the full set: every seek,
 * history, durable groups, request/response, `ackMode: 'individual'` with `nack`, and none of the consumer
 * settings of `open()` (`requestTimeoutMs`, `sessionTimeoutMs` false, no `extraConfigs` key); `datasetPatterns`
 * is only what the transport declares (absent: refused). A transport
 * therefore names what it lacks and which consumer settings it honours, e.g.
 * `defineCapabilities({ seek: false, channelSettings: { sessionTimeoutMs: true } })`.
 */
export function defineCapabilities(differences: CapabilityDifferences = {}): TransportCapabilities {
  const { channelSettings, ...rest } = differences;
  return Object.freeze({
    seekBySequence: true,
    seekByTime: true,
    seek: true,
    history: true,
    durableGroups: true,
    requestReply: true,
    ackMode: 'individual',
    nack: true,
    ...rest,
    channelSettings: Object.freeze({
      requestTimeoutMs: false,
      sessionTimeoutMs: false,
      extraConfigs: [],
      ...channelSettings,
    }),
  });
}

/** The consumer settings of one `open()` call that `assertChannelSettingsSupported` checks. */
export interface ChannelSettings {
  requestTimeoutMs?: number;
  sessionTimeoutMs?: number;
  extraConfigs?: Readonly<Record<string, unknown>>;
}

/**
 * Fails with `UnsupportedFeatureError` naming the transport and the option when `settings` asks for a
 * consumer setting the transport does not honour (see `ChannelSettingsCapabilities`). `context` says where
 * the settings came from (e.g. `open({ group: 'g' })`).
 */
export function assertChannelSettingsSupported(
  transport: string,
  capabilities: TransportCapabilities,
  settings: ChannelSettings,
  context: string,
): void {
  const supported = capabilities.channelSettings;
  const refuse = (feature: string): never => {
    throw new UnsupportedFeatureError(
      transport,
      feature,
      `${context} sets it, and this transport has no such consumer setting; leave it out here (see the streaming README, "Channel options per transport").`,
    );
  };
  for (const name of ['requestTimeoutMs', 'sessionTimeoutMs'] as const)
    if (settings[name] !== undefined && !supported?.[name]) refuse(`open({ ${name} })`);
  const accepted = supported?.extraConfigs ?? [];
  if (accepted === 'any') return;
  for (const key of Object.keys(settings.extraConfigs ?? {}))
    if (!accepted.includes(key))
      refuse(
        accepted.length === 0
          ? `open({ extraConfigs }) (key ${JSON.stringify(key)})`
          : `open({ extraConfigs }) key ${JSON.stringify(key)} (accepted: ${accepted.join(', ')})`,
      );
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

/**
 * The `TransportSubscription.nack` of a transport that declares `nack: false`, written once: the runtime
 * retries in process and never calls it; a direct call fails with `UnsupportedFeatureError` naming the
 * transport, `nack` and `reason` (why the broker cannot deliver one message again).
 */
export function refuseNack(transport: string, reason: string): () => Promise<never> {
  return async () => {
    throw new UnsupportedFeatureError(transport, 'nack', reason);
  };
}

/**
 * Fails with `UnsupportedFeatureError` naming the transport and the feature when the transport cannot
 * resolve a dataset pattern (see `TransportCapabilities.datasetPatterns`). `context` says where the pattern
 * came from (e.g. `@OnDatasetMessage({ pattern: 'a.*' }) on Store.onA`).
 */
export function assertDatasetPatternsSupported(
  transport: string,
  capabilities: TransportCapabilities,
  context: string,
): void {
  if (!capabilities.datasetPatterns)
    throw new UnsupportedFeatureError(
      transport,
      'dataset patterns',
      `${context} asks for one; this transport cannot list the datasets a pattern matches, so name the datasets (a list is accepted)`,
    );
}
