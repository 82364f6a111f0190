import { randomUUID } from 'node:crypto';
import { PendingReplies } from '@databus/common/internal';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { IncomingRecord } from '../../transport/transport-record.interface';
import { encodeCorrelation, fromPacket, ReplyAddress } from './mqtt-codec';

/**
 * The reply inbox of one transport instance: a private topic `<prefix>/<uuid>` its connection subscribes to,
 * and the requests waiting there, matched by MQTT 5 Correlation Data.
 */
export class MqttInbox {
  readonly topic: string;
  private readonly pending = new PendingReplies<IncomingRecord>();

  constructor(prefix: string) {
    this.topic = `${prefix.replace(/\/+$/, '')}/${randomUUID()}`;
  }

  /** Routes replies arriving on `client` (call before it connects). */
  attach(client: MqttClient): void {
    client.on('message', (topic: string, _payload: Buffer, packet: IPublishPacket) => {
      if (topic !== this.topic) return;
      const correlation = packet.properties?.correlationData;
      if (correlation === undefined) return;
      const id = encodeCorrelation(Buffer.from(correlation));
      if (this.pending.destination(id) === undefined) return; // timed out already
      this.pending.resolve(id, fromPacket(packet, topic, 0));
    });
  }

  /** Subscribes the inbox topic (QoS 1). */
  async subscribe(client: MqttClient): Promise<void> {
    await client.subscribeAsync(this.topic, { qos: 1 });
  }

  /**
   * Registers a request; returns its reply address and the promise of its reply, which rejects with
   * `RequestTimeoutError` after `timeoutMs`.
   */
  expect(destination: string, timeoutMs: number): { address: ReplyAddress; reply: Promise<IncomingRecord> } {
    const id = randomUUID();
    const reply = this.pending.expect(id, destination, timeoutMs);
    return { address: { responseTopic: this.topic, correlationData: Buffer.from(id, 'utf8') }, reply };
  }

  /** Forgets a request whose publish failed. */
  cancel(address: ReplyAddress, error: Error): void {
    this.pending.reject(address.correlationData.toString('utf8'), error);
  }

  /** Fails every waiting request (transport closing). */
  closeAll(error: Error): void {
    this.pending.rejectAll(error);
  }
}
