import { TemporaryError } from '@databus/common';
import { CLOSED, NOT_CONNECTED } from '../../queue.messages';
import { StatusEmitter } from '../status-emitter';
import type {
  BackendConsumer,
  BackendStatus,
  ConsumeSpec,
  Delivery,
  ExchangeDeclaration,
  DeliveryListener,
  OutgoingMessage,
  QueueBackend,
  QueueDeclaration,
} from '../queue-backend.interface';
import { MemoryBroker, MemoryConnectionHooks } from './memory-broker';
import { MemoryConsumer, MemoryDelivery, MemoryQueue } from './memory-queue';

/** Options of the memory backend. */
export interface MemoryBackendOptions {
  broker?: MemoryBroker;
  publishTimeoutMs: number;
}

interface ConsumerEntry {
  spec: ConsumeSpec;
  listener: DeliveryListener;
  active: boolean;
  consumer?: MemoryConsumer;
  queueName: string;
}

/**
 * A connection to a `MemoryBroker`, with the same semantics as the RabbitMQ backend: consumers survive a
 * broker restart (re-attached once each, never when cancelled), exclusive queues are recreated, publishes
 * during an outage wait up to `publishTimeoutMs`.
 */
export class MemoryBackend implements QueueBackend, MemoryConnectionHooks {
  readonly kind = 'memory' as const;
  private readonly broker: MemoryBroker;
  private readonly ownsBroker: boolean;
  private readonly entries = new Set<ConsumerEntry>();
  private readonly status = new StatusEmitter();
  private readonly waiters = new Set<() => void>();
  private connected = false;
  private closed = false;
  private generation = 0;

  constructor(private readonly options: MemoryBackendOptions) {
    this.broker = options.broker ?? new MemoryBroker();
    this.ownsBroker = !options.broker;
  }

  async connect(): Promise<void> {
    if (this.closed) throw new TemporaryError(CLOSED);
    this.broker.attach(this);
    if (this.broker.isUp()) this.markUp();
  }

  isConnected(): boolean {
    return this.connected;
  }

  onStatus(listener: (status: BackendStatus) => void): () => void {
    return this.status.on(listener);
  }

  async assertQueue(queue: QueueDeclaration): Promise<void> {
    await this.whenConnected();
    this.broker.declareQueue(queue);
  }

  async assertFanout(exchange: ExchangeDeclaration): Promise<void> {
    await this.whenConnected();
    this.broker.declareFanout(exchange.name);
  }

  async send(queue: string, message: OutgoingMessage, declare?: QueueDeclaration): Promise<void> {
    await this.whenConnected();
    if (declare) this.broker.declareQueue(declare);
    this.broker.sendToQueue(queue, message.body, message.properties);
  }

  async publish(exchange: string, message: OutgoingMessage): Promise<void> {
    await this.whenConnected();
    this.broker.declareFanout(exchange);
    this.broker.publish(exchange, message.body, message.properties);
  }

  async sendDelayed(queue: string, message: OutgoingMessage, delayMs: number): Promise<void> {
    await this.whenConnected();
    this.broker.schedule(queue, message.body, message.properties, delayMs);
  }

  async consume(spec: ConsumeSpec, listener: DeliveryListener): Promise<BackendConsumer> {
    await this.whenConnected();
    const entry: ConsumerEntry = { spec, listener, active: true, queueName: spec.queue?.name ?? '' };
    this.entries.add(entry);
    this.attach(entry);
    return {
      get queueName() {
        return entry.queueName;
      },
      get health() {
        return { attached: entry.active && entry.consumer !== undefined, failures: 0 };
      },
      cancel: async () => {
        entry.active = false;
        this.entries.delete(entry);
        if (entry.consumer) this.broker.cancelConsumer(entry.consumer);
      },
    };
  }

  ack(delivery: Delivery): void {
    this.broker.ack(delivery as MemoryDelivery);
  }

  isSettleable(delivery: Delivery): boolean {
    const { consumer } = delivery as MemoryDelivery;
    return consumer.noAck || consumer.unacked.has(delivery as MemoryDelivery);
  }

  nack(delivery: Delivery, requeue: boolean): void {
    this.broker.nack(delivery as MemoryDelivery, requeue);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    for (const entry of this.entries) {
      entry.active = false;
      if (entry.consumer) this.dropConsumer(entry.consumer);
    }
    this.entries.clear();
    this.broker.detach(this);
    if (this.ownsBroker) this.broker.close();
    for (const wake of this.waiters) wake();
    this.status.emit({ type: 'closed' });
    this.status.clear();
  }

  /** @internal */
  brokerDown(): void {
    if (this.closed) return;
    this.connected = false;
    for (const entry of this.entries) entry.consumer = undefined;
    this.status.emit({ type: 'disconnected' });
  }

  /** @internal */
  brokerUp(): void {
    if (this.closed) return;
    for (const entry of [...this.entries]) if (entry.active) this.attach(entry);
    this.markUp();
  }

  private markUp(): void {
    this.connected = true;
    this.generation++;
    this.status.emit({ type: 'connected', generation: this.generation });
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  private attach(entry: ConsumerEntry): void {
    const { spec } = entry;
    const queue: MemoryQueue = spec.queue
      ? this.broker.declareQueue(spec.queue)
      : this.broker.declareExclusive(this);
    if (spec.bindExchange) this.broker.bind(queue.name, spec.bindExchange);
    entry.queueName = queue.name;
    entry.consumer = new MemoryConsumer(queue, spec.prefetch, spec.noAck === true, entry.listener);
    this.broker.addConsumer(entry.consumer);
  }

  private dropConsumer(consumer: MemoryConsumer): void {
    this.broker.detachConsumer(consumer);
    if (consumer.queue.owner === this) this.broker.deleteQueue(consumer.queue.name);
  }

  private whenConnected(): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.closed) return Promise.reject(new TemporaryError(CLOSED));
    const timeoutMs = this.options.publishTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        if (this.connected) resolve();
        else reject(new TemporaryError(CLOSED));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new TemporaryError(NOT_CONNECTED('memory://', timeoutMs)));
      }, timeoutMs);
      timer.unref();
      this.waiters.add(wake);
    });
  }
}
