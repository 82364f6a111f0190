import { RequestTimeoutError, TemporaryError } from '@databus/common';
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

interface PendingRequest {
  queue: string;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Request/response over queues: one exclusive, auto-named reply queue per connection (re-created after a
 * reconnect; requests in flight across a reconnect time out), replies matched by correlation id.
 */
export class RpcClient {
  private consumer?: Promise<BackendConsumer>;
  private readonly pending = new Map<string, PendingRequest>();
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
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestTimeoutError(queue, timeoutMs));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { queue, resolve, reject, timer });
    });
    // The caller attaches its handler only after the send; never report this rejection as unhandled.
    reply.catch(() => undefined);
    try {
      await this.backend.send(queue, message, declare);
    } catch (error) {
      this.forget(id);
      throw error;
    }
    onSent?.();
    return reply;
  }

  /** Rejects every pending request and stops the reply consumer. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [id, request] of this.pending) {
      this.forget(id);
      request.reject(new TemporaryError(CLOSED));
    }
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
    const request = id === undefined ? undefined : this.pending.get(id);
    if (!request || id === undefined) return;
    this.forget(id);
    try {
      const body = decodeBody(delivery.body, delivery.properties);
      if (delivery.properties.headers?.[WireHeaders.STATUS] === 'error') {
        const remote = (body ?? {}) as { name?: string; message?: string };
        request.reject(
          new TaskFailedError(request.queue, String(remote.name ?? 'Error'), String(remote.message ?? '')),
        );
      } else request.resolve(body);
    } catch (error) {
      request.reject(error);
    }
  };

  private forget(id: string): void {
    const request = this.pending.get(id);
    if (!request) return;
    clearTimeout(request.timer);
    this.pending.delete(id);
  }
}
