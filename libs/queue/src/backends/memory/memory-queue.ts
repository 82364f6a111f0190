import type { Delivery, DeliveryListener, MessageProperties } from '../queue-backend.interface';
import { Deque } from '../../util/deque';

/** A message stored in an in-memory queue. */
export interface StoredMessage {
  body: Buffer;
  properties: MessageProperties;
  redelivered: boolean;
}

/** A consumer attached to an in-memory queue. */
export class MemoryConsumer {
  readonly unacked = new Set<MemoryDelivery>();
  active = true;

  constructor(
    readonly queue: MemoryQueue,
    readonly prefetch: number,
    readonly noAck: boolean,
    readonly listener: DeliveryListener,
  ) {}

  hasCapacity(): boolean {
    return this.active && (this.noAck || this.unacked.size < this.prefetch);
  }
}

/** A delivery from an in-memory queue; settled through the broker. */
export class MemoryDelivery implements Delivery {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  readonly redelivered: boolean;

  constructor(
    readonly consumer: MemoryConsumer,
    readonly stored: StoredMessage,
  ) {
    this.body = stored.body;
    this.properties = stored.properties;
    this.redelivered = stored.redelivered;
  }

  get queue(): string {
    return this.consumer.queue.name;
  }
}

/**
 * An in-memory queue: priority buckets of FIFOs and a round-robin list of consumers, each bounded by its
 * prefetch. `owner` is set for exclusive queues (deleted with their connection).
 */
export class MemoryQueue {
  readonly consumers: MemoryConsumer[] = [];
  private readonly buckets: Array<Deque<StoredMessage>>;
  private next = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly maxPriority: number,
    readonly owner?: object,
  ) {
    this.buckets = Array.from({ length: maxPriority + 1 }, () => new Deque<StoredMessage>());
  }

  get size(): number {
    return this.count;
  }

  push(message: StoredMessage): void {
    this.bucketOf(message).push(message);
    this.count++;
  }

  /** Puts a message back at the front of its priority level (a requeue). */
  unshift(message: StoredMessage): void {
    this.bucketOf(message).unshift(message);
    this.count++;
  }

  /** The next consumer with free capacity, round-robin; undefined when all are full. */
  pickConsumer(): MemoryConsumer | undefined {
    const n = this.consumers.length;
    for (let i = 0; i < n; i++) {
      const consumer = this.consumers[(this.next + i) % n];
      if (consumer.hasCapacity()) {
        this.next = (this.next + i + 1) % n;
        return consumer;
      }
    }
    return undefined;
  }

  shift(): StoredMessage | undefined {
    for (let p = this.buckets.length - 1; p >= 0; p--) {
      const message = this.buckets[p].shift();
      if (message) {
        this.count--;
        return message;
      }
    }
    return undefined;
  }

  private bucketOf(message: StoredMessage): Deque<StoredMessage> {
    const priority = Math.min(this.maxPriority, Math.max(0, message.properties.priority ?? 0));
    return this.buckets[priority];
  }
}
