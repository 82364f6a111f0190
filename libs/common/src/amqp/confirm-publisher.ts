import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { TickCoalescer } from '../batching';
import { DeadlineEntry, DeadlineQueue } from '../batching/deadline-queue';
import { DatabusError, TemporaryError } from '../errors';
import { RetriesExhaustedError, retry } from '../retry';
import { AmqpChannelSlot, PUBLISH_BACKOFF } from './channel-slot';
import { mapAmqpPublishError } from './publish-error.mapper';

/** One message to publish. */
export interface AmqpPublication {
  /** The exchange; `''` is the default exchange, which routes by queue name. */
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  /**
   * amqplib's publish options. With `mandatory` and a `messageId`, a message that no queue took
   * (`basic.return`) counts as not confirmed and is published again.
   */
  readonly options: Options.Publish;
}

/** A publication with the time by which its confirm must have arrived (`Date.now()` scale). */
export interface TimedAmqpPublication extends AmqpPublication {
  readonly deadline: number;
}

/** What the shared confirm publisher needs from its owner. */
export interface AmqpConfirmPublisherOptions {
  /** The redacted broker address, named in every error. */
  readonly where: string;
  /** The user's option that bounds a publish (e.g. `produceTimeoutMs`) and its value, named on a timeout. */
  readonly timeout: { readonly option: string; readonly ms: number };
  /** Message of the `TemporaryError` of the publishes still waiting when the publisher is closed. */
  readonly closedMessage: string;
  /** The open connection, waiting up to `timeoutMs` for a reconnect; rejects when there is none. */
  connection(timeoutMs: number): Promise<ChannelModel>;
  /** A mandatory message came back (`basic.return`: no queue of that name), e.g. to forget a declaration. */
  onReturned?(routingKey: string, exchange: string): void;
}

/** Runs before each attempt with the time left, e.g. to declare the destination. */
export type PublishPreparation = (remainingMs: number) => Promise<void>;

/** The state of one confirm channel: the message ids the broker returned as unroutable. */
interface ChannelState {
  readonly returned: Set<unknown>;
}

interface ReturnedMessage {
  fields: { exchange: string; routingKey: string };
  properties: { messageId?: unknown };
}

/**
 * One batch written to one channel, counting its confirms down: a single promise and a single deadline
 * entry for the whole batch, whatever its size.
 */
class InFlight implements DeadlineEntry {
  done = false;
  failure: unknown;
  readonly confirmed: Uint8Array;
  readonly settled: Promise<void>;
  private waiting = 0;
  private sealed = false;
  private resolve!: () => void;
  private reject!: (error: unknown) => void;

  constructor(
    public batch: readonly AmqpPublication[],
    readonly deadline: number,
    private readonly state: ChannelState,
  ) {
    this.confirmed = new Uint8Array(batch.length);
    this.settled = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Counts one more message written to the channel. */
  written(): void {
    this.waiting++;
  }

  /** The messages not confirmed (after a failure). */
  unconfirmed(): AmqpPublication[] {
    return this.batch.filter((_, i) => this.confirmed[i] !== 1);
  }

  /** The broker's answer for message `index` (amqplib: `null` on ack, an error on nack or close). */
  answer(index: number, error: unknown): void {
    if (error) this.failure ??= error;
    else if (this.returned(index)) this.failure ??= RETURNED;
    else this.confirmed[index] = 1;
    if (--this.waiting === 0 && this.sealed) this.finish();
  }

  /** No more messages will be written: settles once the ones written are answered. */
  seal(): void {
    this.sealed = true;
    if (this.waiting === 0) this.finish();
  }

  expire(): void {
    if (this.done) return;
    this.failure ??= EXPIRED;
    this.finish();
  }

  private returned(index: number): boolean {
    const { returned } = this.state;
    if (returned.size === 0) return false;
    const options = this.batch[index].options;
    return options.mandatory === true && returned.delete(options.messageId);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.failure !== undefined) return this.reject(this.failure);
    this.batch = DONE; // a finished entry may wait in the deadline queue: it keeps no payload alive
    this.resolve();
  }
}

const DONE: readonly AmqpPublication[] = [];
/** Marks a mandatory message the broker returned (no queue took it). */
const RETURNED = Symbol('returned');
/** Marks a batch whose deadline passed before every confirm arrived. */
const EXPIRED = Symbol('expired');

/**
 * Publishes with publisher confirms on one confirm channel per connection; the one home of this for the
 * queue's RabbitMQ backend and the streaming amqp transport.
 * - A publish resolves only once the broker confirmed every message of it.
 * - `publish` (one message) coalesces the calls of one tick to one destination into one batch
 *   (`TickCoalescer`); `publishBatch` sends a batch as is. A batch costs one promise, one deadline entry
 *   (one timer for every batch in flight) and one confirm count, not one per message.
 * - When the socket's write buffer is full, the rest waits for `drain` (backpressure, not memory).
 * - Messages the broker nacked, returned (mandatory) or lost with the channel or connection are published
 *   again (only those, at-least-once) with the shared retry policy (`retry`, 25 ms doubling to 1 s) until
 *   the deadline; then the publish fails with `RetriesExhaustedError` (a `TemporaryError`) naming the
 *   timeout option.
 * - A fault the broker would repeat fails at once, mapped by `mapAmqpPublishError` (404 no such exchange →
 *   `PermanentError`, 403 → `AuthenticationError`).
 */
export class AmqpConfirmPublisher {
  private readonly slot = new AmqpChannelSlot<ConfirmChannel>((model) => this.openChannel(model));
  private readonly states = new WeakMap<ConfirmChannel, ChannelState>();
  private readonly deadlines = new DeadlineQueue();
  private readonly coalescer = new TickCoalescer<TimedAmqpPublication, void>((_key, batch) =>
    this.publishBatch(batch, batch[0].deadline).then(() => NO_RESULTS),
  );
  private blocked?: Promise<void>;
  private closed = false;

  constructor(private readonly options: AmqpConfirmPublisherOptions) {}

  /** Publishes one message with this tick's others to the same destination; resolves on its confirm. */
  publish(publication: TimedAmqpPublication): Promise<void> {
    // The default exchange routes by queue name: the name itself is the key (no string built per call). A
    // key shared by two destinations would only put them in one batch, whose messages keep their own.
    const { exchange, routingKey } = publication;
    return this.coalescer.add(exchange === '' ? routingKey : `${exchange}\u0000${routingKey}`, publication);
  }

  /** Publishes `batch` in order; resolves once the broker confirmed every message, by `deadline`. */
  async publishBatch(
    batch: readonly AmqpPublication[],
    deadline: number,
    prepare?: PublishPreparation,
  ): Promise<void> {
    if (this.closed) throw new TemporaryError(this.options.closedMessage);
    const attempt = { pending: batch };
    try {
      await this.attempt(attempt, deadline, prepare);
    } catch (error) {
      await this.retryRest(attempt, deadline, prepare, error);
    }
  }

  /** Drops the channel of a previous connection (the owner reconnected). */
  reset(): void {
    this.slot.reset();
    this.blocked = undefined;
  }

  /** Fails every publish still waiting for its confirm and closes the channel. */
  async close(): Promise<void> {
    this.closed = true;
    this.deadlines.expireAll();
    await this.slot.close();
  }

  /** The attempts after a failed first one, with the shared retry-with-deadline policy. */
  private async retryRest(
    attempt: { pending: readonly AmqpPublication[] },
    deadline: number,
    prepare: PublishPreparation | undefined,
    first: unknown,
  ): Promise<void> {
    const { option, ms } = this.options.timeout;
    const failure = first as DatabusError; // attempt() rejects with mapped errors only
    const remaining = deadline - Date.now();
    if (!failure.retriable || this.closed) throw failure;
    if (remaining <= 0) throw new RetriesExhaustedError(1, failure, { ms, option });
    await retry(
      (_n, signal) => this.attempt(attempt, deadline, prepare, signal),
      { attempts: Infinity, deadlineMs: remaining, backoff: PUBLISH_BACKOFF },
      {
        classify: (error) => (this.closed || !(error as DatabusError).retriable ? 'permanent' : 'transient'),
        deadlineOption: option,
        deadlineBudgetMs: ms,
      },
    );
  }

  /**
   * One attempt: writes what is not confirmed yet and waits for the broker's answers. Leaves in
   * `attempt.pending` what is still unconfirmed; rejects with a mapped `DatabusError`.
   */
  private async attempt(
    attempt: { pending: readonly AmqpPublication[] },
    deadline: number,
    prepare?: PublishPreparation,
    signal?: AbortSignal,
  ): Promise<void> {
    let channel: ConfirmChannel | undefined;
    let flight: InFlight | undefined;
    try {
      if (prepare) await prepare(deadline - Date.now());
      channel = await this.slot.get(await this.options.connection(deadline - Date.now()));
      flight = new InFlight(attempt.pending, deadline, this.stateOf(channel));
      if (signal) signal.addEventListener('abort', () => flight?.expire(), { once: true });
      else this.deadlines.add(flight);
      await this.write(channel, flight);
      await flight.settled;
    } catch (error) {
      if (flight) attempt.pending = flight.unconfirmed();
      throw this.failure((channel && this.slot.closeReason(channel)) ?? error, attempt.pending.length);
    }
  }

  /** Writes the batch, pausing for `drain` when the socket's buffer is full; seals the flight. */
  private async write(channel: ConfirmChannel, flight: InFlight): Promise<void> {
    const batch = flight.batch;
    let i = 0;
    try {
      while (i < batch.length && !flight.done) {
        if (this.blocked) await this.drained(flight);
        for (; i < batch.length;) {
          const p = batch[i];
          const index = i++;
          const accepted = channel.publish(p.exchange, p.routingKey, p.content, p.options, (error) =>
            flight.answer(index, error),
          );
          flight.written(); // after: a publish that throws (closed channel) never answers
          if (!accepted) {
            this.watchDrain(channel);
            break;
          }
        }
      }
    } catch (error) {
      flight.failure ??= error; // amqplib throws when the channel is closed
    } finally {
      flight.seal();
    }
  }

  /** Marks the channel blocked until it drains (or closes): later writes wait for it. */
  private watchDrain(channel: ConfirmChannel): void {
    if (this.blocked) return;
    const blocked = new Promise<void>((release) => {
      const done = (): void => {
        channel.off('drain', done);
        channel.off('close', done);
        if (this.blocked === blocked) this.blocked = undefined;
        release();
      };
      channel.on('drain', done);
      channel.on('close', done);
    });
    this.blocked = blocked;
  }

  /** Waits for the channel to drain, or for the flight's deadline (then the flight has expired). */
  private async drained(flight: InFlight): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, flight.deadline - Date.now()));
      timer.unref();
    });
    try {
      await Promise.race([this.blocked, expired]);
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() >= flight.deadline) flight.expire();
  }

  /** The typed error of a failed attempt (`unconfirmed`: how many messages are still not confirmed). */
  private failure(error: unknown, unconfirmed?: number): DatabusError {
    const { where } = this.options;
    const count = `${unconfirmed ?? 'some'} message(s)`;
    if (this.closed) return new TemporaryError(this.options.closedMessage);
    if (error === EXPIRED)
      return new TemporaryError(`The broker at ${where} did not confirm ${count} in time.`);
    if (error === RETURNED)
      return new TemporaryError(
        `The broker at ${where} returned ${count}: no queue took them (published again once declared).`,
      );
    const text = (error as Error)?.message;
    if (text === 'message nacked')
      return new TemporaryError(`The broker at ${where} nacked ${count}.`, { cause: error });
    if (text === 'channel closed')
      return new TemporaryError(`The channel to ${where} closed before the broker confirmed ${count}.`, {
        cause: error,
      });
    return mapAmqpPublishError(error, where);
  }

  private async openChannel(model: ChannelModel): Promise<ConfirmChannel> {
    const channel = await model.createConfirmChannel();
    const state: ChannelState = { returned: new Set() };
    this.states.set(channel, state);
    // Many batches may wait for one 'drain' at once: bounded by the callers, not a leak.
    channel.setMaxListeners(0);
    // RabbitMQ sends basic.return before the confirm of a mandatory message that no queue took.
    channel.on('return', (message: ReturnedMessage) => {
      if (message.properties.messageId !== undefined) state.returned.add(message.properties.messageId);
      this.options.onReturned?.(message.fields.routingKey, message.fields.exchange);
    });
    return channel;
  }

  private stateOf(channel: ConfirmChannel): ChannelState {
    let state = this.states.get(channel);
    if (!state) this.states.set(channel, (state = { returned: new Set() }));
    return state;
  }
}

const NO_RESULTS: void[] = [];
