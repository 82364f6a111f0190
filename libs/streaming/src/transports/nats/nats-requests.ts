import { randomUUID } from 'node:crypto';
import { TemporaryError } from '@databus/common';
import { PendingReplies } from '@databus/common/internal';
import { createInbox, type NatsConnection, type Subscription } from './nats-client';
import { IncomingRecord, OutgoingRecord } from '../../transport/transport-record.interface';
import { mapNatsError } from './nats-error.mapper';
import { fromReply, NatsWireHeaders, toNatsHeaders } from './nats-wire';
import { NatsOutgoing } from './nats-publisher';

/**
 * Request/reply for datasets. A request must reach the dataset's handler, which consumes from JetStream,
 * so it is *stored in the stream* like any message, carrying a core-NATS inbox in `x-databus-reply-to` and
 * an id in `x-databus-correlation-id`. The requester listens on that inbox (subscribed before publishing);
 * the handler's side publishes its reply there over core NATS (replies are not stored).
 * A native NATS `request()` to the dataset subject cannot work: JetStream answers it with its `PubAck`.
 */
export class NatsRequests {
  private readonly pending = new PendingReplies<IncomingRecord>();

  constructor(
    private readonly nc: () => NatsConnection,
    private readonly produce: (dataset: string, message: NatsOutgoing) => Promise<unknown>,
  ) {}

  /** Publishes `record` to `dataset` with a reply inbox and resolves with the first matching reply. */
  request(dataset: string, record: OutgoingRecord, timeoutMs: number): Promise<IncomingRecord> {
    const inbox = createInbox();
    const correlationId = randomUUID();
    const nc = this.nc();
    let sub: Subscription | undefined;
    const reply = this.pending.expect(correlationId, dataset, timeoutMs, () => sub?.unsubscribe());
    try {
      sub = nc.subscribe(inbox, {
        callback: (error, msg) => {
          if (error) return;
          const answer = fromReply(inbox, msg);
          if (answer.correlationId !== undefined && answer.correlationId !== correlationId) return;
          this.pending.resolve(correlationId, { ...answer, correlationId });
        },
      });
    } catch (error) {
      this.pending.reject(correlationId, mapNatsError(error, 'request', `inbox for "${dataset}"`));
      return reply;
    }
    this.produce(dataset, {
      data: record.data,
      headers: toNatsHeaders(record, { replyTo: inbox, correlationId }),
    }).catch((error) =>
      this.pending.reject(correlationId, mapNatsError(error, 'request', `to "${dataset}"`)),
    );
    return reply;
  }

  /** Sends a reply to a request's inbox over core NATS and flushes it to the server. */
  async reply(replyTo: string, correlationId: string | undefined, record: OutgoingRecord): Promise<void> {
    const nc = this.nc();
    try {
      nc.publish(replyTo, record.data, {
        headers: toNatsHeaders({ ...record, headers: { ...record.headers } }, { correlationId }),
      });
      await nc.flush();
    } catch (error) {
      throw mapNatsError(error, 'reply', `to ${NatsWireHeaders.REPLY_TO}`);
    }
  }

  /** Fails every outstanding request with `TemporaryError` (on transport close). */
  close(): void {
    this.pending.rejectAll(new TemporaryError('The nats transport closed before the reply arrived.'));
  }
}
