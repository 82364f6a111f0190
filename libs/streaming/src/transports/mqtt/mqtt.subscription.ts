import { UnsupportedFeatureError } from '@databus/common';
import type { IConnackPacket, IPublishPacket, MqttClient } from 'mqtt';
import { NoCommittedPositionError } from '../../errors';
import { describeOffset, Offset } from '../../offset/offset';
import { RecordBuffer } from '../../transport/record-buffer';
import { refuseNack } from '../../transport/transport-capabilities';
import { IncomingRecord } from '../../transport/transport-record.interface';
import {
  SubscriptionSpec,
  TransportContext,
  TransportLogger,
  TransportSubscription,
} from '../../transport/transport.interface';
import { fromPacket } from './mqtt-codec';
import { MqttConnection, MqttConnectionSpec } from './mqtt-connection';
import { mapMqttError } from './mqtt-error.mapper';
import { datasetOfTopic, subscriptionFilter } from './mqtt-topics';
import { ResolvedMqttOptions } from './mqtt.options';

/** Acknowledgement handle of a QoS 1 delivery: its packet id on one connection generation. */
interface DeliveryToken {
  messageId: number;
  generation: number;
}

/** How many skipped topics a pattern subscription remembers (and logs once each). */
const MAX_SKIPPED_TOPICS = 1000;

/**
 * Passed to mqtt.js's `handleMessage` callback to skip its automatic PUBACK (mqtt.js sends PUBACK only when
 * the callback gets no error). The PUBACK is sent by `ack()` once the handler has finished.
 */
const DEFER_PUBACK = Object.freeze(new Error('databus: PUBACK deferred until the handler finishes'));

/**
 * One MQTT subscription on its own connection. QoS 1 deliveries are queued (bounded by `spec.prefetch`: the
 * connection advertises it as Receive Maximum, and reading from the socket pauses when the queue is full)
 * and acknowledged only when the runtime acks them. A delivery not acknowledged when the connection drops
 * is redelivered by the broker when the (persistent) session resumes; acks of the old connection are
 * dropped, because packet ids are reused.
 */
export class MqttSubscription implements TransportSubscription {
  private readonly queue: RecordBuffer<IncomingRecord>;
  private gated: Array<() => void> = [];
  private sequence = 0;
  private closed = false;
  private subscribed = false;
  private readiness?: { promise: Promise<void>; resolve: () => void };
  private readonly logger: TransportLogger;
  /** Topics a pattern's filter let through that are no dataset it matches (logged once each). */
  private readonly skipped = new Set<string>();

  readonly connection: MqttConnection;

  constructor(
    context: TransportContext,
    options: ResolvedMqttOptions,
    connection: MqttConnectionSpec,
    private readonly spec: SubscriptionSpec,
    private readonly durable: boolean,
    private readonly onClose: (sub: MqttSubscription) => void,
  ) {
    this.logger = context.logger;
    this.queue = new RecordBuffer<IncomingRecord>({
      handOut: (record) => record,
      afterTake: () => {
        if (this.queue.length < this.spec.prefetch) this.releaseGates();
      },
    });
    this.connection = new MqttConnection(
      context,
      options,
      { ...connection, resubscribe: false },
      { onConnect: (connack) => this.onConnack(connack), onDisconnect: () => this.onDisconnect() },
    );
  }

  /** Connects, checks the position request, subscribes. Closes the connection when anything fails. */
  async open(): Promise<void> {
    const connack = await this.connection.open((client) => this.install(client));
    try {
      if (this.spec.start.kind === 'none' && !(this.durable && connack.sessionPresent)) {
        await this.connection.close({ sessionExpirySeconds: 0 });
        throw new NoCommittedPositionError(this.spec.dataset, this.spec.group);
      }
      await this.subscribe(this.connection.client);
      this.subscribed = true;
    } catch (error) {
      await this.connection.close().catch(() => undefined);
      throw error;
    }
  }

  fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    return this.queue.fetch(max, maxWaitMs, signal);
  }

  async ack(records: readonly IncomingRecord[]): Promise<void> {
    const client = this.closed ? undefined : this.connection.client;
    if (!client?.connected) return; // the broker redelivers them when the session resumes
    const generation = this.connection.generation;
    const ids: number[] = [];
    for (const record of records) {
      const token = record.token as DeliveryToken | undefined;
      if (token && token.generation === generation) ids.push(token.messageId);
    }
    sendPubacks(client, ids);
  }

  readonly nack = refuseNack(
    'mqtt',
    'MQTT cannot redeliver one message on demand; the runtime retries it locally',
  );

  async seek(offset: Offset): Promise<void> {
    throw new UnsupportedFeatureError(
      'mqtt',
      'seek',
      `MQTT keeps no history to move to (${describeOffset(offset)})`,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.close();
    this.releaseGates();
    this.readiness?.resolve();
    try {
      await this.connection.close();
    } finally {
      this.onClose(this);
    }
  }

  /**
   * Resolves once the subscription is in place on the current connection (at once while connected). The
   * transport's producer waits for it after a reconnect, so its own publishes never race the re-subscribe.
   */
  ready(): Promise<void> {
    return this.readiness?.promise ?? Promise.resolve();
  }

  private onDisconnect(): void {
    if (this.closed || this.readiness) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.readiness = { promise, resolve };
  }

  /** Runs on every CONNACK: deliveries of a previous connection will be redelivered, so drop them. */
  private onConnack(connack: IConnackPacket): void {
    const generation = this.connection.generation;
    if (generation === 1) return;
    this.queue.removeWhere((record) => {
      const token = record.token as DeliveryToken | undefined;
      return token !== undefined && token.generation !== generation;
    });
    this.releaseGates();
    if (this.durable && !connack.sessionPresent)
      this.logger.warn(
        `MQTT ${this.connection.spec.label}: the broker no longer had the group's session (expired, or the broker lost its state); messages queued for it while disconnected are lost`,
      );
    // SUBSCRIBE again even when the session is present: Mosquitto before 2.0.12 restores persistent
    // sessions without their shared subscriptions. Re-subscribing an existing subscription is harmless.
    const readiness = this.readiness;
    this.readiness = undefined;
    this.subscribe(this.connection.client)
      .catch((error) =>
        this.logger.warn(
          `MQTT ${this.connection.spec.label}: re-subscribing failed: ${(error as Error).message}`,
        ),
      )
      .finally(() => readiness?.resolve());
  }

  private install(client: MqttClient): void {
    assertManualAckSupport(client);
    client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
      if (this.closed) return callback(packet.qos > 0 ? DEFER_PUBACK : undefined);
      const dataset = this.datasetOf(packet.topic);
      if (dataset === undefined) return callback(); // acknowledged (PUBACK) and skipped: see datasetOf
      const token: DeliveryToken | undefined =
        packet.qos > 0
          ? { messageId: packet.messageId as number, generation: this.connection.generation }
          : undefined;
      this.queue.push(fromPacket(packet, dataset, ++this.sequence, token));
      if (packet.qos > 0) return callback(DEFER_PUBACK); // bounded by the Receive Maximum we advertise
      // QoS 0 has no broker-side flow control: stop reading the socket while the queue is full. Never
      // before SUBACK (it would wait behind the held packet).
      if (this.subscribed && this.queue.length >= this.spec.prefetch) this.gated.push(() => callback());
      else callback();
    };
  }

  /**
   * The dataset of a delivery: the subscription's own, or for a pattern the dataset of its topic when the
   * pattern matches it. The filter lets through what the pattern does not: dead-letter topics (`…/dlq`,
   * which `orders.>` must not read) and topics that are no portable dataset name; those are skipped (one
   * debug line per topic).
   */
  private datasetOf(topic: string): string | undefined {
    const pattern = this.spec.pattern;
    if (!pattern) return this.spec.dataset;
    const dataset = datasetOfTopic(topic);
    if (dataset !== undefined && pattern.matches(dataset)) return dataset;
    if (this.skipped.size < MAX_SKIPPED_TOPICS && !this.skipped.has(topic)) {
      this.skipped.add(topic);
      this.logger.debug(
        `MQTT ${this.connection.spec.label}: skipping messages on topic "${topic}" (not a dataset the pattern "${pattern.text}" matches)`,
      );
    }
    return undefined;
  }

  private async subscribe(client: MqttClient): Promise<void> {
    const filter = subscriptionFilter(this.spec.dataset, this.spec.group, this.spec.pattern);
    // Retained messages: sent for BEGIN on a private subscription; never for LATEST (and MQTT never sends
    // them to shared subscriptions).
    const rh = this.spec.start.kind === 'begin' && !this.durable ? 0 : 2;
    try {
      const granted = await client.subscribeAsync(filter, { qos: 1, rh });
      const failed = granted.find((g) => g.qos > 2);
      if (failed) throw Object.assign(new Error(`SUBSCRIBE to "${filter}" refused`), { code: failed.qos });
    } catch (error) {
      throw mapMqttError(error, `subscribe ${this.connection.where}`);
    }
  }

  private releaseGates(): void {
    const gated = this.gated;
    this.gated = [];
    for (const proceed of gated) proceed();
  }
}

/** The encoded size of a PUBACK of a success: fixed header, remaining length 2, packet id. */
const PUBACK_BYTES = 4;

/**
 * Sends the PUBACKs of `messageIds` (reason code 0, Success) in one socket write: the 4-byte packet mqtt.js's
 * own automatic PUBACK is (`0x40 0x02` and the packet id; MQTT 5 leaves out a success's reason code and
 * property length, and MQTT 3.1.1 has neither). Written as one Buffer on the client's stream instead of one
 * `_sendPacket` per id, which encodes each packet in three writes, a fresh 2-byte Buffer for its id and a
 * cork/uncork tick. mqtt.js writes every packet synchronously in one call, so the bytes never land inside
 * another packet; a PUBACK has no state on the client side (nothing stored, nothing awaited).
 */
export function sendPubacks(client: MqttClient, messageIds: readonly number[]): void {
  if (messageIds.length === 0) return;
  const bytes = Buffer.allocUnsafe(messageIds.length * PUBACK_BYTES);
  let at = 0;
  for (const id of messageIds) {
    bytes[at] = 0x40;
    bytes[at + 1] = 0x02;
    bytes.writeUInt16BE(id, at + 2);
    at += PUBACK_BYTES;
  }
  client.stream.write(bytes);
}

/**
 * Fails fast, when the subscription connects, if the installed mqtt.js lacks what deferred acknowledgements rely
 * on: `handleMessage` (held back to defer each PUBACK until the handler finished) and the connection's `stream`
 * (written by `sendPubacks`). Without the check a newer mqtt.js without either would fail every acknowledgement
 * at run time instead, and the broker would redeliver the messages again and again.
 */
export function assertManualAckSupport(client: MqttClient): void {
  const missing: string[] = [];
  if (typeof client.handleMessage !== 'function') missing.push('MqttClient.handleMessage');
  const stream = (client as { stream?: { write?: unknown } }).stream;
  if (typeof stream?.write !== 'function') missing.push('MqttClient.stream.write');
  if (missing.length)
    throw new UnsupportedFeatureError(
      'mqtt',
      'acknowledging after the handler with this mqtt.js version',
      `expected mqtt.js 5.x (it has no ${missing.join(' and no ')})`,
    );
}
