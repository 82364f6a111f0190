import type { ChannelModel, Options } from 'amqplib';
import { AmqpConfirmPublisher } from '@databus/common/amqp';
import type { LoggerService } from '@nestjs/common';
import type { ResolvedTaskQueueOptions } from '../../options/resolve-options';
import type {
  BackendConsumer,
  BackendStatus,
  ConsumeSpec,
  Delivery,
  DeliveryListener,
  ExchangeDeclaration,
  OutgoingMessage,
  QueueBackend,
  QueueDeclaration,
} from '../queue-backend.interface';
import { CLOSED } from '../../queue.messages';
import { StatusEmitter } from '../status-emitter';
import { ConnectionSupervisor } from './connection-supervisor';
import { ConsumerRegistry, RabbitDelivery } from './consumer-registry';
import { quantizeDelay, Topology } from './topology';

/**
 * The RabbitMQ backend (amqplib): a supervised connection, the shared confirm publisher
 * (`@databus/common/amqp`, the same as the streaming amqp transport's), a topology cache and a consumer
 * registry, each reset or re-attached exactly once per new connection.
 */
export class RabbitMqBackend implements QueueBackend {
  readonly kind = 'rabbitmq' as const;
  private readonly status = new StatusEmitter();
  private readonly supervisor: ConnectionSupervisor;
  private readonly topology: Topology;
  private readonly publisher: AmqpConfirmPublisher;
  private readonly consumers: ConsumerRegistry;

  constructor(
    private readonly options: ResolvedTaskQueueOptions,
    logger: LoggerService,
    connectionName: string,
  ) {
    const where = options.safeUrl;
    this.topology = new Topology(where);
    this.consumers = new ConsumerRegistry(options.reconnect, logger, where);
    this.supervisor = new ConnectionSupervisor(
      options,
      (connection, generation) => this.onConnected(connection, generation),
      this.status,
      logger,
      connectionName,
    );
    this.publisher = new AmqpConfirmPublisher({
      where,
      timeout: { option: 'publishTimeoutMs', ms: options.publishTimeoutMs },
      closedMessage: CLOSED,
      connection: (timeoutMs) => this.supervisor.whenConnected(timeoutMs),
    });
    this.status.on((status) => {
      if (status.type === 'disconnected') this.consumers.detach();
    });
  }

  connect(): Promise<void> {
    return this.supervisor.start();
  }

  isConnected(): boolean {
    return this.supervisor.current !== undefined;
  }

  /** Consumers attached to a live channel now (for health checks and tests). */
  attachedConsumers(): number {
    return this.consumers.attachedCount();
  }

  onStatus(listener: (status: BackendStatus) => void): () => void {
    return this.status.on(listener);
  }

  async assertQueue(queue: QueueDeclaration): Promise<void> {
    await this.supervisor.whenConnected(this.options.publishTimeoutMs);
    await this.topology.ensureQueue(queue);
  }

  async assertFanout(exchange: ExchangeDeclaration): Promise<void> {
    await this.supervisor.whenConnected(this.options.publishTimeoutMs);
    await this.topology.ensureFanout(exchange);
  }

  send(queue: string, message: OutgoingMessage, declare?: QueueDeclaration): Promise<void> {
    // Not an async function: once the queue is declared, the caller gets the publisher's promise itself.
    const sent = publication('', queue, message, Date.now() + this.options.publishTimeoutMs);
    if (declare && !this.topology.hasQueue(declare))
      return this.assertQueue(declare).then(() => this.publisher.publish(sent));
    return this.publisher.publish(sent);
  }

  async publish(exchange: string, message: OutgoingMessage, declare?: ExchangeDeclaration): Promise<void> {
    const deadline = Date.now() + this.options.publishTimeoutMs;
    await this.assertFanout(declare ?? { name: exchange });
    await this.publisher.publish(publication(exchange, '', message, deadline));
  }

  async sendDelayed(queue: string, message: OutgoingMessage, delayMs: number, quorum = false): Promise<void> {
    const delay = quantizeDelay(delayMs);
    if (delay === 0) return this.send(queue, message);
    const deadline = Date.now() + this.options.publishTimeoutMs;
    await this.supervisor.whenConnected(this.options.publishTimeoutMs);
    const delayQueue = await this.topology.ensureDelayQueue(queue, delay, quorum);
    await this.publisher.publish(publication('', delayQueue, message, deadline));
  }

  consume(spec: ConsumeSpec, listener: DeliveryListener): Promise<BackendConsumer> {
    return this.consumers.add(spec, listener);
  }

  ack(delivery: Delivery): void {
    this.consumers.ack(delivery as RabbitDelivery);
  }

  isSettleable(delivery: Delivery): boolean {
    const slot = (delivery as RabbitDelivery).slot;
    return slot.open || slot.entry.spec.noAck === true; // a noAck delivery is the consumer's alone already
  }

  nack(delivery: Delivery, requeue: boolean): void {
    this.consumers.nack(delivery as RabbitDelivery, requeue);
  }

  async close(): Promise<void> {
    await this.consumers.clear();
    await this.supervisor.close();
    await this.publisher.close();
    this.status.emit({ type: 'closed' });
    this.status.clear();
  }

  private async onConnected(connection: ChannelModel, generation: number): Promise<number> {
    this.topology.reset(connection);
    this.publisher.reset();
    return this.consumers.attachAll(connection, generation);
  }
}

/** A persistent publish of `message` (delivery mode 2) with its basic properties. */
function publication(exchange: string, routingKey: string, message: OutgoingMessage, deadline: number) {
  return { exchange, routingKey, content: message.body, options: publishOptions(message), deadline };
}

function publishOptions(message: OutgoingMessage): Options.Publish {
  const p = message.properties;
  return {
    persistent: true,
    contentType: p.contentType,
    contentEncoding: p.contentEncoding,
    messageId: p.messageId,
    correlationId: p.correlationId,
    replyTo: p.replyTo,
    headers: p.headers,
    priority: p.priority,
    timestamp: p.timestamp,
    type: p.type,
    appId: p.appId,
  };
}
