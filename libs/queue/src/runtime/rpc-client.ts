import { TemporaryError } from '@databus/common';
import { PendingReplies } from '@databus/common/internal';
import type {
  BackendConsumer,
  Delivery,
  OutgoingMessage,
  QueueBackend,
  QueueDeclaration,
} from '../backends/queue-backend.interface';
import { TaskFailedError } from '../errors/task-failed.error';
import { CLOSED } from '../queue.messages';
import { decodeBody, WireHeaders } from '../wire/wire-format';

/**
 * Request/response over queues: one exclusive, auto-named reply queue per connection (re-created after a
 * reconnect; requests in flight across a reconnect time out), replies matched by correlation id.
 */
export class RpcClient {
  private consumer?: Promise<BackendConsumer>;
  private readonly pending = new PendingReplies<unknown>();
  private closed = false;

  constructor(private readonly backend: QueueBackend) {}

  async request(
    queue: string,
    message: OutgoingMessage,
    declare: QueueDeclaration,
    timeoutMs: number,
    onSent?: () => void,
  ): Promise<unknown> {
    if (this.closed) throw new TemporaryError(CLOSED);
    const consumer = await this.replyConsumer();
    const id = message.properties.correlationId as string;
    message.properties.replyTo = consumer.queueName;
    const reply = this.pending.expect(id, queue, timeoutMs);
    try {
      await this.backend.send(queue, message, declare);
    } catch (error) {
      this.pending.reject(id, error);
      throw error;
    }
    onSent?.();
    return reply;
  }

  /** Rejects every pending request and stops the reply consumer. */
  async close(): Promise<void> {
    this.closed = true;
    this.pending.rejectAll(new TemporaryError(CLOSED));
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) await (await consumer.catch(() => undefined))?.cancel();
  }

  private replyConsumer(): Promise<BackendConsumer> {
    if (!this.consumer) {
      const starting = this.backend.consume({ prefetch: 0, noAck: true }, this.onReply);
      starting.catch(() => {
        if (this.consumer === starting) this.consumer = undefined;
      });
      this.consumer = starting;
    }
    return this.consumer;
  }

  private readonly onReply = (delivery: Delivery): void => {
    const id = delivery.properties.correlationId;
    const queue = id === undefined ? undefined : this.pending.destination(id);
    if (queue === undefined || id === undefined) return;
    try {
      const body = decodeBody(delivery.body, delivery.properties);
      if (delivery.properties.headers?.[WireHeaders.STATUS] === 'error') {
        const remote = (body ?? {}) as { name?: string; message?: string };
        this.pending.reject(
          id,
          new TaskFailedError(queue, String(remote.name ?? 'Error'), String(remote.message ?? '')),
        );
      } else this.pending.resolve(id, body);
    } catch (error) {
      this.pending.reject(id, error);
    }
  };
}
