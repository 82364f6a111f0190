import { RunnerLifecycle } from '@databus/common/internal';
import type { LoggerService } from '@nestjs/common';
import type {
  BackendConsumer,
  ConsumerHealth,
  Delivery,
  QueueBackend,
} from '../backends/queue-backend.interface';
import type { HandlerObserver, StopCause } from '../observability/handler-observer';
import { noopHandlerObserver } from '../observability/handler-observer';
import { AT_MOST_ONCE_RELEASED, CONSUMER_FAILED, CONSUMER_STATE, SETTLEMENT_FAILED } from '../queue.messages';
import { Deque } from '../util/deque';
import { attemptOf, decodeBody } from '../wire/wire-format';
import { deadLetterQueue, ResolvedHandler } from './failure-policy';
import { errorText, Settlement } from './settlement';
import { TaskMessage } from './task-message';

/**
 * Calls the user's handler (through Nest's enhancer chain, or directly when none applies) with the payload
 * and the message; returns its result or a promise of it.
 */
export type HandlerInvoker = (payload: unknown, message: TaskMessage) => unknown;

/**
 * The state of a handler's consumer: `idle` (not started), `running`, `paused` (no new deliveries start;
 * running ones finish), `stopping` (draining), `stopped`, `failed` (its consumer could not be attached).
 * @publicApi
 */
export type HandlerState = 'idle' | 'running' | 'paused' | 'stopping' | 'stopped' | 'failed';

/** How one delivery went, for the span. */
interface Handled {
  failed: boolean;
  error?: unknown;
}
const HANDLED_OK: Handled = Object.freeze({ failed: false });
const spanError = (handled: Handled): unknown =>
  handled.failed ? (handled.error ?? new Error('handler failed')) : undefined;

/**
 * Runs one handler: consumes its queue, runs up to `concurrency` deliveries at once (the rest wait in a
 * FIFO bounded by the prefetch), and settles each one. Control operations run one at a time:
 * - `pause()`: a durable queue's consumer is cancelled (basic.cancel) and deliveries that have not started
 *   go back to the queue; an exclusive (auto-named) queue would be deleted with its consumer, so there the
 *   consumer stays and holds at most `prefetch` deliveries while the broker keeps the rest. Running
 *   handlers finish either way; nothing is lost;
 * - `resume()`: attaches a new consumer (or starts the held deliveries);
 * - `stop()`: cancels the consumer, releases what has not started and waits for the running handlers;
 * - `start()`: attaches the consumer; after a failure the state is `failed` and the error is kept.
 */
export class HandlerRunner extends RunnerLifecycle<HandlerState> {
  private consumer?: BackendConsumer;
  private running = 0;
  private handledCount = 0;
  private readonly waiting = new Deque<Delivery>();
  private readonly idleWaiters = new Set<() => void>();
  private control: Promise<unknown> = Promise.resolve();
  private readonly settlement: Settlement;

  constructor(
    private readonly backend: QueueBackend,
    readonly handler: ResolvedHandler,
    private readonly invoke: HandlerInvoker,
    private readonly logger: LoggerService,
    private readonly observer: HandlerObserver = noopHandlerObserver,
  ) {
    super('idle');
    this.settlement = new Settlement(backend, handler, logger, observer);
  }

  /** Handlers running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Deliveries processed since the application started. */
  get handled(): number {
    return this.handledCount;
  }

  /** The backend's view of the consumer while one is attached (see `ConsumerHealth`). */
  get consumerHealth(): ConsumerHealth | undefined {
    return this.consumer?.health;
  }

  /** Attaches the consumer; rejects (state `failed`) when it cannot be attached. */
  start(): Promise<void> {
    return this.serialize(async () => {
      if (this.current === 'running' || this.current === 'paused') return;
      await this.attach(this.current === 'idle' ? undefined : 'started');
    });
  }

  /** No new delivery starts; running handlers finish. Resolves once the broker stopped delivering. */
  pause(): Promise<void> {
    return this.serialize(async () => {
      if (this.current !== 'running') return;
      this.current = 'paused';
      if (this.holdsWhilePaused) this.logger.log(CONSUMER_STATE(this.handler.name, 'paused (holding)'));
      else {
        await this.detach();
        this.logger.log(CONSUMER_STATE(this.handler.name, 'paused'));
      }
      this.observer.stopped('paused');
    });
  }

  /** Starts delivering again after `pause()`. */
  resume(): Promise<void> {
    return this.serialize(async () => {
      if (this.current !== 'paused') return;
      if (!this.consumer) return this.attach('resumed');
      this.current = 'running';
      this.logger.log(CONSUMER_STATE(this.handler.name, 'resumed'));
      this.observer.attached(false);
      while (this.running < this.handler.concurrency && this.waiting.length > 0)
        void this.run(this.waiting.shift() as Delivery);
    });
  }

  /** Stops consuming and waits up to `timeoutMs` for running handlers; resolves with how many still run. */
  stop(timeoutMs: number, cause: StopCause = 'stopped'): Promise<number> {
    return this.serialize(async () => {
      if (this.current === 'idle' || this.current === 'stopped') return this.running;
      this.current = 'stopping';
      await this.detach();
      const left = await this.whenIdle(timeoutMs);
      this.current = 'stopped';
      this.lastError = undefined;
      if (cause !== 'shutdown') this.logger.log(CONSUMER_STATE(this.handler.name, 'stopped'));
      this.observer.stopped(cause);
      return left;
    });
  }

  /** An exclusive queue is deleted with its last consumer: pausing it must keep the consumer. */
  private get holdsWhilePaused(): boolean {
    return !this.handler.source.queue;
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.control.then(operation, operation);
    this.control = next.catch(() => undefined);
    return next;
  }

  /** Attaches a consumer; `logAs` names the state change to log (none at bootstrap). */
  private async attach(logAs?: string): Promise<void> {
    // Deliveries may arrive before consume() resolves: the state must already say so.
    this.current = 'running';
    try {
      const deadLetter = deadLetterQueue(this.handler);
      if (deadLetter) await this.backend.assertQueue(deadLetter);
      this.consumer = await this.backend.consume(this.handler.source, this.onDelivery);
    } catch (error) {
      this.current = 'failed';
      this.lastError = error instanceof Error ? error : new Error(String(error));
      this.releaseWaiting();
      this.logger.error(CONSUMER_FAILED(this.handler.name, errorText(error)));
      this.observer.stopped('failed', this.lastError);
      throw error;
    }
    this.lastError = undefined;
    if (logAs) this.logger.log(CONSUMER_STATE(this.handler.name, logAs));
    this.observer.attached(false);
  }

  private async detach(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.cancel();
    this.releaseWaiting();
  }

  /**
   * Deliveries that have not started go back to the queue (the broker marks them redelivered); at most once,
   * the broker has forgotten them already, so they are lost (one WARN line with the count).
   */
  private releaseWaiting(): void {
    let released = 0;
    for (const delivery of this.waiting.drain()) {
      this.backend.nack(delivery, true);
      released++;
    }
    if (released > 0 && this.handler.delivery === 'at-most-once')
      this.logger.warn(AT_MOST_ONCE_RELEASED(this.handler.name, released));
  }

  private whenIdle(timeoutMs: number): Promise<number> {
    if (this.running === 0) return Promise.resolve(0);
    return new Promise<number>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve(this.running);
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.idleWaiters.add(done);
    });
  }

  private readonly onDelivery = (delivery: Delivery): void => {
    if (this.current === 'running') {
      if (this.running < this.handler.concurrency) void this.run(delivery);
      else this.waiting.push(delivery);
    } else if (this.current === 'paused' && this.holdsWhilePaused) this.waiting.push(delivery);
    else this.backend.nack(delivery, true);
  };

  private async run(first: Delivery): Promise<void> {
    this.observer.inFlight(++this.running);
    let delivery: Delivery | undefined = first;
    // Keep this slot busy with the next waiting delivery instead of re-entering for each one.
    while (delivery) {
      try {
        await this.process(delivery);
      } catch (error) {
        this.logger.error(SETTLEMENT_FAILED(this.handler.label, errorText(error)));
      }
      delivery = this.current === 'running' ? this.waiting.shift() : undefined;
    }
    this.observer.inFlight(--this.running);
    if (this.running === 0) for (const done of [...this.idleWaiters]) done();
  }

  private async process(delivery: Delivery): Promise<void> {
    // Its channel died while it waited: the broker redelivers it, so running it now would only duplicate.
    if (!this.backend.isSettleable(delivery)) return;
    const started = performance.now();
    // No span closure per delivery unless spans are recorded.
    if (this.observer.traced()) await this.observer.trace(delivery, () => this.handle(delivery), spanError);
    else await this.handle(delivery);
    this.handledCount++;
    this.observer.processed(
      delivery,
      this.settlement.outcomeOf(delivery) ?? 'ok',
      performance.now() - started,
    );
  }

  private async handle(delivery: Delivery): Promise<Handled> {
    const attempt = attemptOf(delivery);
    let payload: unknown;
    try {
      payload = decodeBody(delivery.body, delivery.properties);
    } catch (error) {
      await this.settlement.deadLetter(delivery, attempt, 'decode-error', error);
      return { failed: true, error };
    }
    const message = new TaskMessage(delivery, payload, attempt, this.settlement);
    let result: unknown;
    try {
      result = await this.invoke(payload, message);
    } catch (error) {
      if (message.settled)
        this.logger.warn(`${this.handler.name} threw after settling its message: ${errorText(error)}`);
      else await this.settlement.fail(delivery, attempt, error);
      return { failed: true, error };
    }
    if (delivery.properties.replyTo && !message.handedBack) {
      try {
        await this.settlement.reply(delivery, result);
      } catch (error) {
        this.logger.error(`${this.handler.name}: the reply could not be sent: ${errorText(error)}`);
      }
    }
    if (!message.settled) this.backend.ack(delivery);
    return HANDLED_OK;
  }
}
