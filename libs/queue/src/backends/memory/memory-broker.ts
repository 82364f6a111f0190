import { randomUUID } from 'node:crypto';
import type { MessageProperties, QueueDeclaration } from '../queue-backend.interface';
import { MemoryConsumer, MemoryDelivery, MemoryQueue, StoredMessage } from './memory-queue';

/** What the broker tells its connections about restarts. */
export interface MemoryConnectionHooks {
  brokerDown(): void;
  brokerUp(): void;
}

/**
 * An in-process broker with RabbitMQ's semantics for what this lib uses: durable named queues (competing
 * consumers, prefetch, priorities), fanout exchanges, exclusive server-named queues that die with their
 * connection, delayed delivery, and a `restart()` that drops connections and redelivers unacked messages
 * with `redelivered` set. Share one instance between apps through the `memoryBroker` option.
 * @publicApi
 */
export class MemoryBroker {
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly exchanges = new Map<string, Set<string>>();
  private readonly connections = new Set<MemoryConnectionHooks>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<MemoryQueue>();
  private immediate?: NodeJS.Immediate;
  private up = true;
  private closed = false;

  /** True unless a simulated restart is in progress or the broker is closed. */
  isUp(): boolean {
    return this.up && !this.closed;
  }

  /** Messages ready in `queue` (not counting unacked ones); 0 for an unknown queue. */
  messageCount(queue: string): number {
    return this.queues.get(queue)?.size ?? 0;
  }

  /** Consumers attached to `queue`. */
  consumerCount(queue: string): number {
    return this.queues.get(queue)?.consumers.length ?? 0;
  }

  /**
   * Takes the next ready message of `queue` (basic.get with auto-ack), e.g. to inspect a dead-letter queue
   * in a test; undefined when there is none.
   */
  get(queue: string): { body: Buffer; properties: MessageProperties; redelivered: boolean } | undefined {
    const message = this.queues.get(queue)?.shift();
    return message && { ...message };
  }

  /** Names of the queues that exist now. */
  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  /**
   * Simulates a broker restart: every connection is dropped, unacked messages go back to their queues marked
   * redelivered, exclusive queues are deleted; after `downtimeMs` connections may reconnect.
   */
  async restart(downtimeMs = 20): Promise<void> {
    this.up = false;
    for (const queue of [...this.queues.values()]) {
      for (const consumer of [...queue.consumers]) this.detachConsumer(consumer);
      if (queue.owner) this.deleteQueue(queue.name);
    }
    for (const connection of this.connections) connection.brokerDown();
    await new Promise<void>((resolve) => setTimeout(resolve, downtimeMs).unref());
    if (this.closed) return;
    this.up = true;
    for (const connection of [...this.connections]) connection.brokerUp();
  }

  /** Drops every queue, timer and pending dispatch. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.pending.clear();
    this.queues.clear();
    this.exchanges.clear();
  }

  /** @internal */
  attach(connection: MemoryConnectionHooks): void {
    this.connections.add(connection);
  }

  /** @internal */
  detach(connection: MemoryConnectionHooks): void {
    this.connections.delete(connection);
  }

  /** @internal Declares a durable queue (idempotent). */
  declareQueue(declaration: QueueDeclaration): MemoryQueue {
    let queue = this.queues.get(declaration.name);
    if (!queue) {
      queue = new MemoryQueue(declaration.name, declaration.maxPriority ?? 0);
      this.queues.set(queue.name, queue);
    }
    return queue;
  }

  /** @internal Declares an exclusive, server-named queue owned by `owner`. */
  declareExclusive(owner: object): MemoryQueue {
    const queue = new MemoryQueue(`amq.gen-${randomUUID()}`, 0, owner);
    this.queues.set(queue.name, queue);
    return queue;
  }

  /** @internal */
  deleteQueue(name: string): void {
    const queue = this.queues.get(name);
    if (!queue) return;
    for (const consumer of [...queue.consumers]) this.detachConsumer(consumer);
    this.queues.delete(name);
    for (const bound of this.exchanges.values()) bound.delete(name);
  }

  /** @internal */
  declareFanout(exchange: string): void {
    if (!this.exchanges.has(exchange)) this.exchanges.set(exchange, new Set());
  }

  /** @internal */
  bind(queue: string, exchange: string): void {
    this.declareFanout(exchange);
    this.exchanges.get(exchange)?.add(queue);
  }

  /** @internal Routes through the default exchange; like AMQP, a message for no queue is dropped. */
  sendToQueue(name: string, body: Buffer, properties: MessageProperties): void {
    const queue = this.queues.get(name);
    if (!queue) return;
    queue.push({ body, properties, redelivered: false });
    this.requestDispatch(queue);
  }

  /** @internal Copies the message to every queue bound to the fanout exchange. */
  publish(exchange: string, body: Buffer, properties: MessageProperties): void {
    for (const name of this.exchanges.get(exchange) ?? []) this.sendToQueue(name, body, properties);
  }

  /** @internal Delivers to `queue` after `delayMs`, like a TTL queue dead-lettering back. */
  schedule(queue: string, body: Buffer, properties: MessageProperties, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.sendToQueue(queue, body, properties);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** @internal */
  addConsumer(consumer: MemoryConsumer): void {
    consumer.queue.consumers.push(consumer);
    this.requestDispatch(consumer.queue);
  }

  /** @internal Stops deliveries to `consumer`; with `requeue`, its unacked messages go back (redelivered). */
  detachConsumer(consumer: MemoryConsumer, requeue = true): void {
    consumer.active = false;
    const list = consumer.queue.consumers;
    const index = list.indexOf(consumer);
    if (index >= 0) list.splice(index, 1);
    if (!requeue) return;
    const unacked = [...consumer.unacked].reverse();
    consumer.unacked.clear();
    for (const delivery of unacked) consumer.queue.unshift({ ...delivery.stored, redelivered: true });
    if (unacked.length) this.requestDispatch(consumer.queue);
  }

  /** @internal Cancels deliveries but keeps unacked ones settleable (basic.cancel). */
  cancelConsumer(consumer: MemoryConsumer): void {
    consumer.active = false;
    const list = consumer.queue.consumers;
    const index = list.indexOf(consumer);
    if (index >= 0) list.splice(index, 1);
  }

  /** @internal A stale delivery (its consumer was dropped) is ignored, as on a closed AMQP channel. */
  ack(delivery: MemoryDelivery): void {
    if (delivery.consumer.unacked.delete(delivery)) this.requestDispatch(delivery.consumer.queue);
  }

  /** @internal */
  nack(delivery: MemoryDelivery, requeue: boolean): void {
    if (!delivery.consumer.unacked.delete(delivery)) return;
    if (requeue) delivery.consumer.queue.unshift({ ...delivery.stored, redelivered: true });
    this.requestDispatch(delivery.consumer.queue);
  }

  private requestDispatch(queue: MemoryQueue): void {
    if (this.closed) return;
    this.pending.add(queue);
    // One macrotask per batch: deliveries interleave with I/O and timers instead of starving them.
    this.immediate ??= setImmediate(() => this.dispatchPending());
  }

  private dispatchPending(): void {
    this.immediate = undefined;
    if (!this.up) return this.pending.clear();
    const queues = [...this.pending];
    this.pending.clear();
    for (const queue of queues) this.dispatch(queue);
  }

  private dispatch(queue: MemoryQueue): void {
    while (queue.size > 0) {
      const consumer = queue.pickConsumer();
      if (!consumer) return;
      const stored = queue.shift() as StoredMessage;
      const delivery = new MemoryDelivery(consumer, stored);
      if (!consumer.noAck) consumer.unacked.add(delivery);
      consumer.listener(delivery);
    }
  }
}
