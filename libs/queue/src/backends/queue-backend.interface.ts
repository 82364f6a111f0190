import type { ResolvedAmqpDeclaration } from '@databus/common/amqp';

/**
 * The backend SPI: what a broker has to offer for the task-queue runtime to work on it. A backend moves
 * bytes, declares topology, confirms publishes and keeps its consumers attached across reconnects; it knows
 * nothing about handlers, retries or dead-letter policy, which live once in `runtime/` above it.
 */

/** The backends this lib ships. */
export type BackendKind = 'memory' | 'rabbitmq';

/** Application headers of a message (AMQP field table). */
export type TaskHeaders = Record<string, unknown>;

/** Standard AMQP basic properties used by the wire format; nothing framework-specific. */
export interface MessageProperties {
  contentType?: string;
  contentEncoding?: string;
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  headers?: TaskHeaders;
  /** 0..maxPriority; honoured only by queues declared with a maximum priority. */
  priority?: number;
  /** Seconds since the epoch (AMQP timestamp). */
  timestamp?: number;
  type?: string;
  appId?: string;
}

/** A message on its way to the broker. */
export interface OutgoingMessage {
  body: Buffer;
  properties: MessageProperties;
}

/** A message handed to a consumer. Settle it with `QueueBackend.ack` / `nack`. */
export interface Delivery {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  /** True when the broker delivered this message before (a reconnect or release happened). */
  readonly redelivered: boolean;
  /** The queue it was consumed from. */
  readonly queue: string;
}

/**
 * How a queue or exchange is declared, and where the user set that (named in a mismatch error). Absent
 * `declare`: durable, not exclusive, not auto-delete, no arguments. The memory backend ignores the flags.
 */
export interface DeclaredAs {
  declare?: ResolvedAmqpDeclaration;
  /** The option path of the declaration, e.g. `StatsWorker.compute @TaskHandler.queueOptions`. */
  option?: string;
}

/** A named work queue and its arguments; declared identically by producers and consumers. */
export interface QueueDeclaration extends DeclaredAs {
  name: string;
  /** `x-max-priority`; 0 or absent declares a queue without priorities. */
  maxPriority?: number;
}

/** A fanout exchange and how it is declared. */
export interface ExchangeDeclaration extends DeclaredAs {
  name: string;
}

/** What to consume. */
export interface ConsumeSpec {
  /** A durable, named queue (competing consumers). Absent: an exclusive, server-named, auto-delete queue. */
  queue?: QueueDeclaration;
  /** A fanout exchange the queue is bound to (declared if missing, durable unless `exchange` says otherwise). */
  bindExchange?: string;
  /** How `bindExchange` is declared. */
  exchange?: DeclaredAs;
  /** Unsettled deliveries the broker may push to this consumer. */
  prefetch: number;
  /**
   * The broker forgets a delivery once sent (RPC replies, at-most-once handlers): `ack`/`nack` do nothing and
   * the prefetch does not bound what the broker pushes. @default false
   */
  noAck?: boolean;
}

/** A consumer as the backend sees it, for health checks. */
export interface ConsumerHealth {
  /** True while it has a live channel (false during a reconnect or while re-attaching after a failure). */
  readonly attached: boolean;
  /** Failed attempts to re-attach it since it was last attached. */
  readonly failures: number;
  /** The last attach failure (secrets masked). */
  readonly error?: string;
}

/** A live consumer. It is re-attached after every reconnect until it is cancelled. */
export interface BackendConsumer {
  /** The queue consumed now; for exclusive queues a new name after each reconnect. */
  readonly queueName: string;
  /** Attachment state, when the backend reports it. */
  readonly health?: ConsumerHealth;
  /** Stops deliveries for good (never resurrected by a reconnect); unsettled deliveries can still be settled. */
  cancel(): Promise<void>;
}

/** Connection status, as a discriminated union. */
export type BackendStatus =
  | { type: 'connected'; generation: number }
  | { type: 'disconnected'; error?: Error }
  | { type: 'reconnecting'; attempt: number; delayMs: number; error?: Error }
  | { type: 'closed' };

/** Receives every delivery of a consumer; must not throw. */
export type DeliveryListener = (delivery: Delivery) => void;

/** The SPI every backend implements. */
export interface QueueBackend {
  readonly kind: BackendKind;
  /** Opens the connection (bounded by `connectTimeoutMs`); permanent failures reject at once. */
  connect(): Promise<void>;
  /**
   * Declares a queue once per connection (and declaration). A queue that exists with other flags or
   * arguments fails with a `ConfigurationError` naming the queue and the option that differs.
   */
  assertQueue(queue: QueueDeclaration): Promise<void>;
  /** Declares a fanout exchange once per connection; a mismatch fails as for `assertQueue`. */
  assertFanout(exchange: ExchangeDeclaration): Promise<void>;
  /**
   * Publishes a persistent message to `queue` through the default exchange and resolves on the broker's
   * confirm. `declare`, when given, is asserted first. During an outage it waits for the connection up to
   * `publishTimeoutMs`, then rejects with `TemporaryError`.
   */
  send(queue: string, message: OutgoingMessage, declare?: QueueDeclaration): Promise<void>;
  /** Publishes a persistent message to a fanout exchange (declared as `declare` says if missing), confirmed. */
  publish(exchange: string, message: OutgoingMessage, declare?: ExchangeDeclaration): Promise<void>;
  /**
   * Publishes a message that reaches `queue` after `delayMs` (a delay queue with TTL + dead-letter back).
   * `quorum`: `queue` is a quorum queue, so the delay queue is one too (replicated like the queue it feeds).
   */
  sendDelayed(queue: string, message: OutgoingMessage, delayMs: number, quorum?: boolean): Promise<void>;
  /** Starts consuming; the consumer survives reconnects until cancelled. */
  consume(spec: ConsumeSpec, listener: DeliveryListener): Promise<BackendConsumer>;
  /** Acknowledges a delivery. A stale delivery (its channel is gone) is ignored: the broker redelivers it. */
  ack(delivery: Delivery): void;
  /** False once a delivery can no longer be settled (its channel or connection is gone): skip it. */
  isSettleable(delivery: Delivery): boolean;
  /** Returns a delivery to its queue (`requeue`) or drops it. Used to release prefetched work on shutdown. */
  nack(delivery: Delivery, requeue: boolean): void;
  /** True while a connection is open. */
  isConnected(): boolean;
  /** Subscribes to status changes; returns the unsubscribe function. */
  onStatus(listener: (status: BackendStatus) => void): () => void;
  /** Closes every channel and the connection; idempotent. No timer or socket survives it. */
  close(): Promise<void>;
}
