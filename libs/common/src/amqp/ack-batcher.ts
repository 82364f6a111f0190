import type { Message } from 'amqplib';

/** The part of an amqplib channel that settles deliveries. */
export interface AmqpSettleChannel {
  ack(message: Message, allUpTo?: boolean): void;
  nack(message: Message, allUpTo?: boolean, requeue?: boolean): void;
  ackAll(): void;
}

const PENDING = 0;
const ACK = 1;
const REQUEUE = 2;
const DROP = 3;
/** Settled individually already (no longer outstanding at the broker): neutral inside a run. */
const SENT = 4;

type Outcome = typeof ACK | typeof REQUEUE | typeof DROP;

/**
 * Settles the deliveries of one AMQP channel a tick at a time, in as few frames as the protocol allows
 * (the one home of this for the streaming amqp transport and the queue's RabbitMQ backend):
 * - `track()` registers each delivery that needs settling, in delivery order (delivery tags rise on a
 *   channel); `ack()` / `nack()` only mark it, and one flush per tick (`setImmediate`) sends the frames;
 * - the settled prefix (every tracked delivery up to it settled) goes as runs: one `basic.ack` with
 *   `multiple` for a run of acks, one `basic.nack` with `multiple` for a run of nacks with the same
 *   `requeue`, in delivery order, so a nack between acks is sent as a nack, never covered by an ack;
 * - a delivery settled while an earlier one is still pending is sent on its own (multiple off) in the same
 *   flush: a slow handler never holds the credit of the messages after it.
 * A channel that closed makes the frames throw; the batcher then forgets everything (the broker requeues
 * what was not acknowledged). `flush()` sends at once: call it before closing the channel.
 */
export class AmqpAckBatcher {
  private messages: Message[] = [];
  private states: number[] = [];
  /** Index of the first tracked delivery not yet covered by a flush. */
  private head = 0;
  /** Absolute positions (`removed` + index) of deliveries settled while an earlier one was pending. */
  private loose: number[] = [];
  /** Entries dropped from the front by compaction, so that `loose` survives it. */
  private removed = 0;
  /** Whether `head` may have become settled since the last flush. */
  private dirty = false;
  private scheduled = false;
  private readonly flushBound = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly channel: AmqpSettleChannel) {}

  /** Deliveries tracked and not settled yet (a pass over the window: for tests and health, not per message). */
  get pending(): number {
    let n = 0;
    for (let i = this.head; i < this.states.length; i++) if (this.states[i] === PENDING) n++;
    return n;
  }

  /** Registers a delivery that will be settled (call in delivery order). */
  track(message: Message): void {
    this.messages.push(message);
    this.states.push(PENDING);
  }

  /** Marks a tracked delivery acknowledged; the frame leaves with this tick's flush. */
  ack(message: Message): void {
    this.mark(message, ACK);
  }

  /** Marks a tracked delivery rejected (`requeue`: back to its queue, else dropped or dead-lettered). */
  nack(message: Message, requeue: boolean): void {
    this.mark(message, requeue ? REQUEUE : DROP);
  }

  /**
   * Marks every tracked delivery up to and including `message` acknowledged: for a caller that already
   * knows everything before it is done (a committed position).
   */
  ackThrough(message: Message): void {
    const tag = message.fields.deliveryTag;
    let marked = false;
    for (let i = this.head; i < this.messages.length; i++) {
      if (this.messages[i].fields.deliveryTag > tag) break;
      if (this.states[i] === PENDING) {
        this.states[i] = ACK;
        marked = true;
      }
    }
    if (marked) this.touch();
  }

  /** Acknowledges every delivery of the channel at once (`basic.ack` 0, multiple) and forgets them. */
  ackAll(): void {
    this.reset();
    this.channel.ackAll();
  }

  /** Forgets every tracked delivery without sending anything (a new channel, or one that closed). */
  reset(): void {
    this.messages = [];
    this.states = [];
    this.loose = [];
    this.head = 0;
    this.dirty = false;
  }

  /** Sends the frames for everything settled since the last flush, now. */
  flush(): void {
    try {
      if (this.dirty) this.flushPrefix();
      this.flushLoose();
    } catch {
      this.reset(); // the channel closed under us: the broker requeues what it did not get
    }
  }

  private mark(message: Message, outcome: Outcome): void {
    const at = this.indexOf(message.fields.deliveryTag);
    if (at < 0 || this.states[at] !== PENDING) return;
    this.states[at] = outcome;
    if (at === this.head) this.dirty = true;
    else this.loose.push(at + this.removed);
    this.schedule();
  }

  private touch(): void {
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushBound);
  }

  private flushPrefix(): void {
    this.dirty = false;
    const { messages, states } = this;
    let run: Outcome | undefined;
    let runLast: Message | undefined;
    let runLength = 0;
    let i = this.head;
    for (; i < states.length; i++) {
      const state = states[i];
      if (state === PENDING) break;
      if (state === SENT) continue;
      if (state !== run) {
        if (run !== undefined) this.send(run, runLast as Message, runLength > 1);
        run = state as Outcome;
        runLength = 0;
      }
      runLast = messages[i];
      runLength++;
    }
    if (run !== undefined) this.send(run, runLast as Message, runLength > 1);
    this.head = i;
    this.compact();
  }

  private flushLoose(): void {
    if (this.loose.length === 0) return;
    const loose = this.loose;
    this.loose = [];
    for (const position of loose) {
      const index = position - this.removed;
      // Covered by the prefix flush, or forgotten by a reset/compaction.
      if (index < this.head || index >= this.states.length) continue;
      const state = this.states[index];
      if (state === PENDING || state === SENT) continue;
      this.send(state as Outcome, this.messages[index], false);
      this.states[index] = SENT;
    }
  }

  private compact(): void {
    if (this.head === this.states.length) {
      this.removed += this.head;
      this.messages = [];
      this.states = [];
      this.head = 0;
      return;
    }
    if (this.head < 1024 || this.head * 2 < this.states.length) return;
    this.messages.splice(0, this.head);
    this.states.splice(0, this.head);
    this.removed += this.head;
    this.head = 0;
  }

  private send(outcome: Outcome, message: Message, multiple: boolean): void {
    if (outcome === ACK) this.channel.ack(message, multiple);
    else this.channel.nack(message, multiple, outcome === REQUEUE);
  }

  /** Position of the tracked delivery with `tag` (tags rise in tracking order), or -1. */
  private indexOf(tag: number): number {
    const { messages } = this;
    let lo = this.head;
    let hi = messages.length - 1;
    if (hi < lo) return -1;
    // Tags are usually consecutive: try the direct offset first.
    const guess = lo + (tag - messages[lo].fields.deliveryTag);
    if (guess >= lo && guess <= hi && messages[guess].fields.deliveryTag === tag) return guess;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = messages[mid].fields.deliveryTag;
      if (t === tag) return mid;
      if (t < tag) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
