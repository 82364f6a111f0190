import { TemporaryError } from '@databus/common';
import { DeadlineEntry, DeadlineQueue, SettledFifo } from '@databus/common/internal';

interface Waiter extends DeadlineEntry {
  grant: () => void;
  fail: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

const SERVED = (): void => undefined;

/**
 * Marks a waiter served (granted or expired) and drops its callbacks, which close over the message it waited
 * to publish: the deadline queue may keep the entry until its next add or its timer.
 */
function settle(waiter: Waiter): void {
  waiter.done = true;
  waiter.grant = waiter.fail = SERVED;
}

/**
 * A FIFO counting semaphore bounding QoS 1 publishes awaiting their PUBACK. Waiters are served in arrival
 * order, so records keep their order on the wire. mqtt.js has no flow control of its own: publishing
 * without a bound floods its write queue, and Mosquitto drops what exceeds its queues.
 */
export class InflightWindow {
  private used = 0;
  /** Waiters in arrival order (expired ones leave as the queue moves past them). */
  private readonly waiters = new SettledFifo<Waiter>();
  private idleWaiters: Array<() => void> = [];
  /** Waiters' deadlines in the order they come: one timer for all of them. */
  private readonly deadlines = new DeadlineQueue();
  private lastDeadline = 0;

  constructor(private limitValue: number) {}

  get inFlight(): number {
    return this.used;
  }

  get limit(): number {
    return this.limitValue;
  }

  /** Changes the bound (the broker's Receive Maximum may be lower than configured). */
  setLimit(limit: number): void {
    this.limitValue = Math.max(1, limit);
    this.grantWaiting();
  }

  /** Takes a free slot at once if there is one and nobody waits for one; false otherwise. */
  tryAcquire(): boolean {
    if (this.used >= this.limitValue || this.waiters.peek() !== undefined) return false;
    this.used++;
    return true;
  }

  /** Takes a slot; rejects with `TemporaryError` when none frees up before `deadline` (epoch ms). */
  acquire(deadline: number): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.wait(deadline, resolve, reject));
  }

  /**
   * Takes a slot, calling `grant` synchronously the moment it is taken (at once when one is free and nobody
   * waits), or `fail` with `TemporaryError` when none frees up before `deadline` (epoch ms). Nothing runs
   * between the grant and `grant`, so what it writes leaves in arrival order.
   */
  wait(deadline: number, grant: () => void, fail: (error: Error) => void): void {
    if (this.tryAcquire()) return grant();
    const waiter: Waiter = { deadline, done: false, grant, fail, expire: () => this.expire(waiter) };
    // Deadlines in the order they come share the queue's one timer; an earlier one gets its own.
    if (deadline >= this.lastDeadline) {
      this.lastDeadline = deadline;
      this.deadlines.add(waiter);
    } else {
      waiter.timer = setTimeout(waiter.expire, Math.max(0, deadline - Date.now()));
      waiter.timer.unref();
    }
    this.waiters.push(waiter);
  }

  release(): void {
    this.used--;
    this.grantWaiting();
    if (this.used === 0 && this.idleWaiters.length > 0) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of idle) resolve();
    }
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.used === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private expire(waiter: Waiter): void {
    if (waiter.done) return;
    const fail = waiter.fail;
    settle(waiter);
    fail(new TemporaryError(`No MQTT publish slot freed up in time (${this.limitValue} in flight).`));
  }

  private grantWaiting(): void {
    while (this.used < this.limitValue) {
      const waiter = this.waiters.shift();
      if (waiter === undefined) return;
      const grant = waiter.grant;
      settle(waiter);
      if (waiter.timer) clearTimeout(waiter.timer);
      this.used++;
      grant();
    }
  }
}
