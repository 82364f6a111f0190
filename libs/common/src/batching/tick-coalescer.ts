import { DatabusError } from '../errors';

/**
 * Sends one batch of items to one destination. Either it answers one promise for the whole batch, resolving
 * (one result per item, in order) once the broker has all of them or rejecting for all of them; or, for a
 * broker that acknowledges each item on its own (MQTT's PUBACK), it answers nothing and settles each item's
 * call itself, on that item's own acknowledgement: `resolves[i]` or `rejects[i]` for `items[i]`, exactly one
 * of them, once (no promise per item between the acknowledgement and the caller).
 */
export type BatchSender<T, R> = (
  key: string,
  items: T[],
  resolves: ReadonlyArray<(result: R) => void>,
  rejects: ReadonlyArray<(error: unknown) => void>,
) => Promise<R[]> | void;

/** The calls of one destination waiting for the end of the tick. */
interface Pending<T, R> {
  items: T[];
  resolves: Array<(result: R) => void>;
  rejects: Array<(error: unknown) => void>;
}

/**
 * The settling functions of the promise `add` just made, handed over by `captureSettlers`: one executor
 * shared by every call instead of a closure (and its context) per call. Promise executors run synchronously,
 * so `add` reads them on the very next line, before anything else can run.
 */
let capturedResolve: ((result: never) => void) | undefined;
let capturedReject: ((error: unknown) => void) | undefined;
function captureSettlers(resolve: (result: never) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** Most items sent in one batch by default; a tick with more sends several batches. */
export const MAX_COALESCED_BATCH = 1000;

/**
 * Coalesces the single-message sends made in one tick into one batch per destination key: one confirm wait
 * and one socket write for all of them. The one home of this for every producer path (the streaming
 * `ChannelService.produce`, the queue's confirm publisher).
 * - Each call still resolves only once the broker acknowledged its item, with that item's result. A sender
 *   settling each item itself settles each call on its own acknowledgement, not on its batch's last one:
 *   a producer that keeps a window of calls in flight then refills it ack by ack, as the raw client does (a
 *   broker that holds back its acks, like Mosquitto's Nagle-delayed PUBACKs, would otherwise stall every
 *   batch's tail until the client's delayed TCP ACK, ~40 ms).
 * - Order is kept: the items of a key leave in call order, in one batch.
 * - A batch that fails rejects every call in it with that error (each caller retries as before), except
 *   for a permanent databus error (say one message too large for the broker): the batch is then sent again
 *   item by item, so each call gets its own outcome and one bad item does not fail its neighbours.
 * The tick ends at the microtask checkpoint: calls made one after another in synchronous code (or in
 * callbacks of the same microtask run) share a batch; an `await` between two calls does not delay the first.
 */
export class TickCoalescer<T, R> {
  private pending = new Map<string, Pending<T, R>>();
  private scheduled = false;
  private readonly flushTick = (): void => this.flush();

  /**
   * @param send sends one batch of one key
   * @param maxBatch most items of one batch (`MAX_COALESCED_BATCH` by default)
   */
  constructor(
    private readonly send: BatchSender<T, R>,
    private readonly maxBatch = MAX_COALESCED_BATCH,
  ) {}

  /** Queues `item` for the end of the tick; resolves with its result once the broker has it. */
  add(key: string, item: T): Promise<R> {
    let batch = this.pending.get(key);
    if (!batch) {
      batch = { items: [], resolves: [], rejects: [] };
      this.pending.set(key, batch);
    }
    const result = new Promise<R>(captureSettlers);
    batch.resolves.push(capturedResolve as (result: R) => void);
    batch.rejects.push(capturedReject as (error: unknown) => void);
    batch.items.push(item);
    if (batch.items.length >= this.maxBatch) {
      this.pending.delete(key);
      this.dispatch(key, batch);
    } else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushTick);
    }
    return result;
  }

  private flush(): void {
    this.scheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const [key, batch] of batches) this.dispatch(key, batch);
  }

  private dispatch(key: string, batch: Pending<T, R>): void {
    const sent = this.sendSafely(key, batch.items, batch);
    // No promise: the sender settles each call itself.
    if (sent === undefined) return;
    sent.then(
      (results) => {
        for (let i = 0; i < batch.resolves.length; i++) batch.resolves[i](results[i]);
      },
      (error) => {
        const permanent = error instanceof DatabusError && !error.retriable;
        if (batch.items.length === 1 || !permanent) {
          for (const reject of batch.rejects) reject(error);
          return;
        }
        batch.items.forEach((item, i) => {
          const one = { items: [item], resolves: [batch.resolves[i]], rejects: [batch.rejects[i]] };
          const single = this.sendSafely(key, one.items, one);
          single?.then((results) => one.resolves[0](results[0]), one.rejects[0]);
        });
      },
    );
  }

  /**
   * `send`, with a synchronous throw turned into a rejection of the batch (of every call of it a settling
   * sender had not settled yet: settling a promise twice does nothing).
   */
  private sendSafely(key: string, items: T[], batch: Pending<T, R>): Promise<R[]> | void {
    try {
      return this.send(key, items, batch.resolves, batch.rejects);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
