import { randomUUID } from 'node:crypto';
import { RequestTimeoutError, TemporaryError } from '@databus/common';
import { createInbox, type NatsConnection, type Subscription } from './nats-client';
import { IncomingRecord, OutgoingRecord } from '../../transport/transport-record.interface';
import { mapNatsError } from './nats-error.mapper';
import { fromReply, NatsWireHeaders, toNatsHeaders } from './nats-wire';
import { NatsOutgoing } from './nats-publisher';

interface PendingRequest {
  sub?: Subscription;
  timer: NodeJS.Timeout;
  fail: (error: Error) => void;
}

/**
 * Request/reply for datasets. A request must reach the dataset's handler, which consumes from JetStream,
 * so it is *stored in the stream* like any message, carrying a core-NATS inbox in `x-databus-reply-to` and
 * an id in `x-databus-correlation-id`. The requester listens on that inbox (subscribed before publishing);
 * the handler's side publishes its reply there over core NATS (replies are not stored).
 * A native NATS `request()` to the dataset subject cannot work: JetStream answers it with its `PubAck`.
 */
export class NatsRequests {
  private readonly pending = new Set<PendingRequest>();

  constructor(
    private readonly nc: () => NatsConnection,
    private readonly produce: (dataset: string, message: NatsOutgoing) => Promise<unknown>,
  ) {}

  /** Publishes `record` to `dataset` with a reply inbox and resolves with the first matching reply. */
  request(dataset: string, record: OutgoingRecord, timeoutMs: number): Promise<IncomingRecord> {
    const inbox = createInbox();
    const correlationId = randomUUID();
    const nc = this.nc();
    return new Promise<IncomingRecord>((resolve, reject) => {
      const entry = {} as PendingRequest;
      let done = false;
      entry.fail = (error) => {
        if (done) return;
        settle();
        reject(error);
      };
      const settle = (): void => {
        if (done) return;
        done = true;
        clearTimeout(entry.timer);
        entry.sub?.unsubscribe();
        this.pending.delete(entry);
      };
      entry.timer = setTimeout(() => entry.fail(new RequestTimeoutError(dataset, timeoutMs)), timeoutMs);
      entry.timer.unref();
      try {
        entry.sub = nc.subscribe(inbox, {
          callback: (error, msg) => {
            if (error) return;
            const reply = fromReply(inbox, msg);
            if (done || (reply.correlationId !== undefined && reply.correlationId !== correlationId)) return;
            settle();
            resolve({ ...reply, correlationId });
          },
        });
      } catch (error) {
        return entry.fail(mapNatsError(error, 'request', `inbox for "${dataset}"`));
      }
      this.pending.add(entry);
      this.produce(dataset, {
        data: record.data,
        headers: toNatsHeaders(record, { replyTo: inbox, correlationId }),
      }).catch((error) => entry.fail(mapNatsError(error, 'request', `to "${dataset}"`)));
    });
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
    for (const entry of [...this.pending])
      entry.fail(new TemporaryError('The nats transport closed before the reply arrived.'));
  }
}
