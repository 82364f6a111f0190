/**
 * How a RabbitMQ queue or exchange is declared (AMQP 0-9-1 `queue.declare` / `exchange.declare`). Every client
 * that declares one name must declare it the same way, or RabbitMQ refuses the later declaration
 * (PRECONDITION_FAILED, which databus reports as a `ConfigurationError` naming the queue and the option that
 * differs). Set these to match what another program declares: pika's `queue_declare(queue='stats')` and
 * `exchange_declare(exchange='logs', exchange_type='fanout')` are `{ durable: false }`.
 * Used by `@databus/queue` (`@TaskHandler`, `@EventSubscriber`, `enqueue`, `publish`) and by the amqp transport
 * of `@databus/streaming`. Unknown keys are refused.
 * @publicApi
 */
export interface AmqpDeclareOptions {
  /** The queue or exchange survives a broker restart. @default true */
  durable?: boolean;
  /** Queues only: used by the declaring connection alone and deleted when it closes. @default false */
  exclusive?: boolean;
  /** Deleted once its last consumer (queue) or its last bound queue (exchange) goes away. @default false */
  autoDelete?: boolean;
  /**
   * Queues only: the RabbitMQ queue type. `'quorum'` declares a replicated (Raft) quorum queue, which is
   * always durable, shared and without priorities (what it cannot have is refused with a `ConfigurationError`
   * naming the option); `'classic'` a classic queue. Declared as the `x-queue-type` argument; giving that
   * argument in `arguments` instead still works, and both together must agree. An exchange refuses this key.
   * @default absent: the broker's default type (classic on RabbitMQ 3.10)
   */
  queueType?: 'quorum' | 'classic';
  /** Optional arguments as RabbitMQ expects them (`x-message-ttl`, `x-max-length`, `x-queue-type`, …). */
  arguments?: Readonly<Record<string, unknown>>;
}
