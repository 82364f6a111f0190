import { Logger } from '@nestjs/common';
import type { BackendConsumer, Delivery, QueueBackend } from '../backends/queue-backend.interface';
import { Deque } from '../util/deque';
import { SETTLEMENT_FAILED } from '../queue.messages';
import { attemptOf, decodeBody } from '../wire/wire-format';
import type { ResolvedHandler } from './failure-policy';
import { errorText, Settlement } from './settlement';
import { TaskMessage } from './task-message';

/** Calls the user's handler (through Nest's enhancer chain) with the payload and the message. */
export type HandlerInvoker = (payload: unknown, message: TaskMessage) => Promise<unknown>;

/**
 * Runs one handler: consumes its queue, runs up to `concurrency` deliveries at once (the rest wait in a
 * FIFO bounded by the prefetch), and settles each one. `stop()` cancels the consumer, releases deliveries
 * that have not started and waits for the running ones.
 */
export class HandlerRunner {
  private consumer?: BackendConsumer;
  private running = 0;
  private stopping = false;
  private readonly waiting = new Deque<Delivery>();
  private idle?: () => void;
  private readonly settlement: Settlement;

  constructor(
    private readonly backend: QueueBackend,
    readonly handler: ResolvedHandler,
    private readonly invoke: HandlerInvoker,
    private readonly logger: Logger,
  ) {
    this.settlement = new Settlement(backend, handler, logger);
  }

  /** Handlers running now. */
  get inFlight(): number {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.handler.deadLetter) await this.backend.assertQueue({ name: this.handler.deadLetter });
    this.consumer = await this.backend.consume(this.handler.source, this.onDelivery);
  }

  /** Stops consuming and waits up to `timeoutMs` for running handlers; returns how many are still running. */
  async stop(timeoutMs: number): Promise<number> {
    this.stopping = true;
    await this.consumer?.cancel();
    for (const delivery of this.waiting.drain()) this.backend.nack(delivery, true);
    if (this.running === 0) return 0;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.idle = undefined;
    return this.running;
  }

  private readonly onDelivery = (delivery: Delivery): void => {
    if (this.stopping) return this.backend.nack(delivery, true);
    if (this.running < this.handler.concurrency) void this.run(delivery);
    else this.waiting.push(delivery);
  };

  private async run(first: Delivery): Promise<void> {
    this.running++;
    let delivery: Delivery | undefined = first;
    // Keep this slot busy with the next waiting delivery instead of re-entering for each one.
    while (delivery) {
      try {
        await this.process(delivery);
      } catch (error) {
        this.logger.error(SETTLEMENT_FAILED(this.handler.label, errorText(error)));
      }
      delivery = this.stopping ? undefined : this.waiting.shift();
    }
    this.running--;
    if (this.running === 0) this.idle?.();
  }

  private async process(delivery: Delivery): Promise<void> {
    // Its channel died while it waited: the broker redelivers it, so running it now would only duplicate.
    if (!this.backend.isSettleable(delivery)) return;
    const attempt = attemptOf(delivery);
    let payload: unknown;
    try {
      payload = decodeBody(delivery.body, delivery.properties);
    } catch (error) {
      return this.settlement.deadLetter(delivery, attempt, 'decode-error', error);
    }
    const message = new TaskMessage(delivery, payload, attempt, this.settlement);
    let result: unknown;
    try {
      result = await this.invoke(payload, message);
    } catch (error) {
      if (message.settled) {
        this.logger.warn(`${this.handler.name} threw after settling its message: ${errorText(error)}`);
        return;
      }
      return this.settlement.fail(delivery, attempt, error);
    }
    if (delivery.properties.replyTo && !message.handedBack) {
      try {
        await this.settlement.reply(delivery, result);
      } catch (error) {
        this.logger.error(`${this.handler.name}: the reply could not be sent: ${errorText(error)}`);
      }
    }
    if (!message.settled) this.backend.ack(delivery);
  }
}
