import type { Channel, ChannelModel, Options } from 'amqplib';
import {
  AmqpChannelSlot,
  amqpDeclarationMismatch,
  amqpExchangeArgs,
  amqpQueueArgs,
  declarationKey,
  DURABLE_DECLARATION,
  QUEUE_TYPE_ARGUMENT,
} from '@databus/common/amqp';
import type { ExchangeDeclaration, QueueDeclaration } from '../queue-backend.interface';
import { mapAmqpError } from './rabbitmq-error.mapper';

/** How long an unused delay queue lives on after its TTL has passed (x-expires = 2 × TTL + this). */
const DELAY_QUEUE_GRACE_MS = 60_000;

/** Declare options of a work queue (durable by default); producers and consumers must declare it identically. */
export function workQueueOptions(queue: QueueDeclaration): Options.AssertQueue {
  return amqpQueueArgs(
    queue.declare ?? DURABLE_DECLARATION,
    queue.maxPriority ? { 'x-max-priority': queue.maxPriority } : {},
  );
}

/** Where a work queue's declaration options are set, for mismatch errors. */
const queueOption = (queue: QueueDeclaration): string => queue.option ?? `queue "${queue.name}" queueOptions`;

/**
 * Declares `queue` on `channel`; a queue that exists with other flags or arguments is a `ConfigurationError`
 * naming the queue and the option that differs (the module's `maxPriority` for `x-max-priority`).
 */
export async function declareWorkQueue(
  channel: Channel,
  queue: QueueDeclaration,
  where: string,
): Promise<void> {
  try {
    await channel.assertQueue(queue.name, workQueueOptions(queue));
  } catch (error) {
    throw (
      amqpDeclarationMismatch(error, {
        kind: 'queue',
        name: queue.name,
        option: queueOption(queue),
        argumentOption: (arg) =>
          arg === 'x-max-priority' && queue.declare?.arguments[arg] === undefined
            ? 'TaskQueueModule.maxPriority'
            : undefined,
      }) ?? mapAmqpError(error, where)
    );
  }
}

/** Declares the fanout `exchange` on `channel` (durable by default); a mismatch fails as for queues. */
export async function declareFanout(
  channel: Channel,
  exchange: ExchangeDeclaration,
  where: string,
): Promise<void> {
  try {
    await channel.assertExchange(
      exchange.name,
      'fanout',
      amqpExchangeArgs(exchange.declare ?? DURABLE_DECLARATION),
    );
  } catch (error) {
    throw (
      amqpDeclarationMismatch(error, {
        kind: 'exchange',
        name: exchange.name,
        option: exchange.option ?? `exchange "${exchange.name}" exchangeOptions`,
      }) ?? mapAmqpError(error, where)
    );
  }
}

/** The topology cache key of a declaration: one name declared two ways is declared (and refused) twice. */
/** The keys of declarations already seen: `TaskQueue` hands the same declaration object to every enqueue. */
const queueKeys = new WeakMap<QueueDeclaration, string>();

function queueKey(queue: QueueDeclaration): string {
  let key = queueKeys.get(queue);
  if (key === undefined) {
    key = `q:${queue.name}:${queue.maxPriority ?? 0}:${declarationKey(queue.declare ?? DURABLE_DECLARATION)}`;
    queueKeys.set(queue, key);
  }
  return key;
}

/**
 * Rounds a delay to two significant digits (1234 → 1200 ms), so that jittered retries share a bounded set
 * of delay queues instead of one queue per distinct millisecond value.
 */
export function quantizeDelay(delayMs: number): number {
  if (delayMs < 1) return 0;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(delayMs)) - 1);
  return Math.round(delayMs / step) * step;
}

/**
 * Name of the delay queue that holds messages for `queue` for `delayMs`; never in the reserved `amq.` space.
 * A quorum queue's delay queues have their own names (`<queue>.delay-quorum.<ms>`), so that a classic delay
 * queue left by an earlier classic `queue` never refuses the quorum declaration.
 */
export function delayQueueName(queue: string, delayMs: number, quorum = false): string {
  const kind = quorum ? 'delay-quorum' : 'delay';
  return queue.startsWith('amq.') ? `databus.${kind}.${delayMs}.${queue}` : `${queue}.${kind}.${delayMs}`;
}

/**
 * A delay queue: messages wait `delayMs` (queue TTL, so no head-of-line blocking between delays), then the
 * broker dead-letters them through the default exchange back to `queue`. It deletes itself when unused.
 * `quorum`: a quorum delay queue (RabbitMQ 3.10+ expires and dead-letters quorum queue messages too).
 */
export function delayQueueOptions(queue: string, delayMs: number, quorum = false): Options.AssertQueue {
  return {
    durable: true,
    arguments: {
      ...(quorum && { [QUEUE_TYPE_ARGUMENT]: 'quorum' }),
      'x-message-ttl': delayMs,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': queue,
      'x-expires': 2 * delayMs + DELAY_QUEUE_GRACE_MS,
    },
  };
}

/**
 * Declares queues and exchanges once per connection on a dedicated channel (a failed declaration closes
 * only that channel, which is reopened on the next call). Delay queues are re-declared when half their
 * expiry has passed, so a cached name never points to a queue the broker already deleted.
 */
export class Topology {
  private readonly declared = new Map<string, Promise<void>>();
  private readonly settled = new Set<string>();
  private readonly delayDeclaredAt = new Map<string, number>();
  private connection?: ChannelModel;
  private readonly slot = new AmqpChannelSlot((model) => model.createChannel());

  constructor(private readonly where: string) {}

  /** Forgets everything declared: called for every new connection. */
  reset(connection: ChannelModel): void {
    this.connection = connection;
    this.slot.reset();
    this.declared.clear();
    this.settled.clear();
    this.delayDeclaredAt.clear();
  }

  /** True once `queue` was declared so on the current connection (no I/O, for the publish hot path). */
  hasQueue(queue: QueueDeclaration): boolean {
    return this.settled.has(queueKey(queue));
  }

  ensureQueue(queue: QueueDeclaration): Promise<void> {
    return this.once(queueKey(queue), (ch) => declareWorkQueue(ch, queue, this.where));
  }

  ensureFanout(exchange: ExchangeDeclaration): Promise<void> {
    const key = `x:${exchange.name}:${declarationKey(exchange.declare ?? DURABLE_DECLARATION)}`;
    return this.once(key, (ch) => declareFanout(ch, exchange, this.where));
  }

  /** Declares (or refreshes) the delay queue for `queue` and `delayMs`; resolves with its name. */
  async ensureDelayQueue(queue: string, delayMs: number, quorum = false): Promise<string> {
    const name = delayQueueName(queue, delayMs, quorum);
    const at = this.delayDeclaredAt.get(name);
    const now = Date.now();
    if (at === undefined || now - at > delayMs + DELAY_QUEUE_GRACE_MS / 2) {
      await this.run((ch) => ch.assertQueue(name, delayQueueOptions(queue, delayMs, quorum)));
      this.delayDeclaredAt.set(name, now);
    }
    return name;
  }

  private once(key: string, declare: (channel: Channel) => Promise<unknown>): Promise<void> {
    let pending = this.declared.get(key);
    if (!pending) {
      const declaring = this.run(declare);
      this.declared.set(key, declaring);
      declaring.then(
        () => {
          if (this.declared.get(key) === declaring) this.settled.add(key);
        },
        () => {
          if (this.declared.get(key) === declaring) this.declared.delete(key);
        },
      );
      pending = declaring;
    }
    return pending;
  }

  private async run(declare: (channel: Channel) => Promise<unknown>): Promise<void> {
    const channel = await this.getChannel();
    try {
      await declare(channel);
    } catch (error) {
      throw mapAmqpError(error, this.where);
    }
  }

  private getChannel(): Promise<Channel> {
    const connection = this.connection;
    if (!connection) return Promise.reject(mapAmqpError(new Error('not connected'), this.where));
    return this.slot.get(connection);
  }
}
