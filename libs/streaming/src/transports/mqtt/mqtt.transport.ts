import { hostname } from 'node:os';
import { TemporaryError, UnsupportedFeatureError } from '@databus/common';
import type { IConnackPacket } from 'mqtt';
import { BaseTransport } from '../../transport/base-transport';
import { defineCapabilities, TransportCapabilities } from '../../transport/transport-capabilities';
import { IncomingRecord, OutgoingRecord, ProduceResult } from '../../transport/transport-record.interface';
import {
  StreamingTransport,
  SubscriptionSpec,
  TransportContext,
  TransportSubscription,
} from '../../transport/transport.interface';
import { decodeCorrelation, payloadOf, toPublishOptions } from './mqtt-codec';
import { MAX_SESSION_EXPIRY_SECONDS, MqttConnection } from './mqtt-connection';
import { MqttInbox } from './mqtt-inbox';
import { MqttPublisher } from './mqtt-publisher';
import { claimSessionId, ephemeralId } from './mqtt-session-ids';
import { assertDatasetTopic, assertGroupName, topicOf } from './mqtt-topics';
import { resolveMqttOptions, ResolvedMqttOptions } from './mqtt.options';
import { MqttSubscription } from './mqtt.subscription';

/** What MQTT can do: no history (so no seek), groups as shared subscriptions with persistent sessions. */
export const MQTT_CAPABILITIES: TransportCapabilities = defineCapabilities({
  seekBySequence: false,
  seekByTime: false,
  seek: false,
  history: false,
  nack: false,
  // sessionTimeoutMs: keep-alive of the member's own connection (the broker drops it after 1.5 × keep-alive).
  channelSettings: { sessionTimeoutMs: true },
  // A pattern is an MQTT topic filter (`+`, `#`): one subscription, new topics arrive with it at once.
  datasetPatterns: 'native',
});

/**
 * The `mqtt://` / `mqtts://` transport (mqtt.js 5, MQTT 5). Datasets are topics; a group is a shared
 * subscription whose members hold persistent sessions; deliveries are acknowledged (PUBACK) only after the
 * handler finished. One connection produces and receives replies; every subscription has its own.
 */
export class MqttTransport extends BaseTransport<MqttSubscription, 'mqtt'> implements StreamingTransport {
  private readonly options: ResolvedMqttOptions;
  private readonly connection: MqttConnection;
  private readonly publisher: MqttPublisher;
  private readonly inbox: MqttInbox;
  private connecting?: Promise<void>;
  private warnedClientId = false;
  /**
   * After a reconnect: resolves when this instance's subscriptions are back (bounded by reconnectHoldMs);
   * `undefined` once it has (publishes then go out at once).
   */
  private hold?: Promise<void>;

  constructor(context: TransportContext) {
    super('mqtt', MQTT_CAPABILITIES, context);
    this.options = resolveMqttOptions(context.transportOptions);
    this.inbox = new MqttInbox(this.options.inboxPrefix);
    this.connection = new MqttConnection(
      context,
      this.options,
      {
        clientId: ephemeralId(context.clientId, 'main'),
        clean: true,
        sessionExpirySeconds: 0,
        label: 'producer',
      },
      {
        onStatus: (status) => this.statusEmitter.set(status),
        onConnect: (connack) => this.onConnack(connack),
        onDisconnect: () => this.publisher.withdrawAll(),
      },
    );
    this.publisher = new MqttPublisher(
      this.connection,
      this.options.maxInflight,
      context.reconnect,
      () => this.hold,
    );
    this.connection.beforePlannedReconnect = () => this.publisher.window.idle();
  }

  connect(): Promise<void> {
    this.reopen();
    if (this.connection.connected) return Promise.resolve();
    this.connecting ??= (async () => {
      try {
        this.statusEmitter.set({ type: 'connecting' });
        await this.connection.open((client) => this.inbox.attach(client));
        await this.inbox.subscribe(this.connection.client);
      } catch (error) {
        await this.connection.close().catch(() => undefined);
        this.statusEmitter.set({ type: 'disconnected', error: error as Error });
        throw error;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  produce(dataset: string, records: readonly OutgoingRecord[]): Promise<ProduceResult[]> {
    const resolves: Array<(result: ProduceResult) => void> = [];
    const rejects: Array<(error: unknown) => void> = [];
    const results = records.map(
      () =>
        new Promise<ProduceResult>((resolve, reject) => {
          resolves.push(resolve);
          rejects.push(reject);
        }),
    );
    this.produceEach(dataset, records, resolves, rejects);
    return Promise.all(results);
  }

  /** Settles each record on its own PUBACK (see `StreamingTransport.produceEach`). */
  produceEach(
    dataset: string,
    records: readonly OutgoingRecord[],
    resolves: ReadonlyArray<(result: ProduceResult) => void>,
    rejects: ReadonlyArray<(error: unknown) => void>,
  ): void {
    let topic: string;
    let deadline: number;
    try {
      this.assertOpen('produce');
      topic = topicOf(assertDatasetTopic(dataset));
      deadline = Date.now() + this.context.produceTimeoutMs;
    } catch (error) {
      for (const reject of rejects) reject(error);
      return;
    }
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const payload = payloadOf(record);
      this.publisher.send(topic, payload, toPublishOptions(record), deadline, resolves[i], rejects[i]);
    }
  }

  async subscribe(spec: SubscriptionSpec): Promise<TransportSubscription> {
    this.assertOpen('subscribe');
    if (!spec.pattern) assertDatasetTopic(spec.dataset);
    if (spec.start.kind === 'sequence' || spec.start.kind === 'time')
      throw new UnsupportedFeatureError('mqtt', `positions by ${spec.start.kind}`, 'MQTT keeps no history');
    const durable = spec.group !== undefined;
    let release = (): void => undefined;
    let clientId: string;
    if (durable) {
      assertGroupName(spec.group as string);
      this.warnUnstableClientId();
      [clientId, release] = claimSessionId(this.context.clientId, spec.dataset, spec.group as string);
    } else clientId = ephemeralId(this.context.clientId, 'sub');
    const sub = new MqttSubscription(
      this.context,
      this.options,
      {
        clientId,
        clean: !durable,
        sessionExpirySeconds: durable ? sessionExpirySeconds(spec.groupExpiryMs) : 0,
        receiveMaximum: Math.min(Math.max(1, spec.prefetch), 65_535),
        keepaliveSeconds: keepaliveForSessionTimeout(spec.consumerConfig?.sessionTimeoutMs),
        label: `subscription "${spec.dataset}"${durable ? ` (group "${spec.group}")` : ''}`,
      },
      spec,
      durable,
      (s) => {
        this.subscriptions.delete(s);
        release();
      },
    );
    this.subscriptions.add(sub);
    try {
      await sub.open();
    } catch (error) {
      this.subscriptions.delete(sub);
      release();
      throw error;
    }
    return sub;
  }

  async request(dataset: string, record: OutgoingRecord, timeoutMs: number): Promise<IncomingRecord> {
    this.assertOpen('request');
    assertDatasetTopic(dataset);
    const { address, reply } = this.inbox.expect(dataset, timeoutMs);
    const deadline = Date.now() + Math.min(timeoutMs, this.context.produceTimeoutMs);
    this.publisher
      .publish(topicOf(dataset), payloadOf(record), toPublishOptions(record, address), deadline)
      .catch((error) => this.inbox.cancel(address, error as Error));
    return reply;
  }

  async reply(replyTo: string, correlationId: string | undefined, record: OutgoingRecord): Promise<void> {
    this.assertOpen('reply');
    assertDatasetTopic(replyTo, 'replyTo');
    const options = toPublishOptions(
      record,
      undefined,
      correlationId === undefined ? undefined : decodeCorrelation(correlationId),
    );
    await this.publisher.publish(
      replyTo,
      payloadOf(record),
      options,
      Date.now() + this.context.produceTimeoutMs,
    );
  }

  protected async shutdown(): Promise<void> {
    await this.closeSubscriptions();
    this.inbox.closeAll(new TemporaryError('The MQTT transport closed before the reply arrived.'));
    await this.connection.close();
  }

  private onConnack(connack: IConnackPacket): void {
    if (this.connection.generation > 1 && this.subscriptions.size > 0) {
      // Publishing before our own subscriptions are back would lose messages to them (a restarted broker
      // may not have restored their subscriptions yet): hold publishes until they are, for a bounded time.
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.reconnectHoldMs);
        timer.unref();
      });
      const ready = Promise.all([...this.subscriptions].map((s) => s.ready())).then(() => undefined);
      const hold: Promise<void> = Promise.race([ready, bound]).finally(() => {
        clearTimeout(timer);
        if (this.hold === hold) this.hold = undefined;
      });
      this.hold = hold;
    }
    // Never exceed the broker's Receive Maximum (Mosquitto: max_inflight_messages).
    const brokerMax = connack.properties?.receiveMaximum ?? 65_535;
    this.publisher.window.setLimit(Math.min(this.options.maxInflight, brokerMax));
  }

  private warnUnstableClientId(): void {
    if (this.warnedClientId || this.context.clientId !== `databus-${hostname()}-${process.pid}`) return;
    this.warnedClientId = true;
    this.context.logger.warn(
      'MQTT durable groups keep a persistent session per clientId; the default clientId contains the process id, so a restarted process starts a new session. Set StreamingModule clientId to a stable instance name.',
    );
  }
}

/** A group's Session Expiry Interval: `groupExpiryMs` in seconds, capped to the protocol maximum. */
export function sessionExpirySeconds(groupExpiryMs: number): number {
  return Math.min(Math.ceil(groupExpiryMs / 1000), MAX_SESSION_EXPIRY_SECONDS);
}

/**
 * The Keep Alive (seconds) for a channel's `sessionTimeoutMs`: the broker closes a connection it has heard
 * nothing from for 1.5 × Keep Alive, so a silent member is dropped after about `sessionTimeoutMs`
 * (at least 1 s, at most the protocol's 65 535 s). `undefined` keeps `transportOptions.keepaliveSeconds`.
 */
export function keepaliveForSessionTimeout(sessionTimeoutMs: unknown): number | undefined {
  if (typeof sessionTimeoutMs !== 'number') return undefined;
  return Math.min(Math.max(1, Math.floor(sessionTimeoutMs / 1500)), 65_535);
}

/** Builds the MQTT transport. */
export const mqttTransportFactory = (context: TransportContext): MqttTransport => new MqttTransport(context);
