import { TemporaryError } from '@databus/common';

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

/**
 * A FIFO counting semaphore bounding QoS 1 publishes awaiting their PUBACK. Waiters are served in arrival
 * order, so records keep their order on the wire. mqtt.js has no flow control of its own: publishing
 * without a bound floods its write queue, and Mosquitto drops what exceeds its queues.
 */
export class InflightWindow {
  private used = 0;
  private readonly waiters: Waiter[] = [];
  private idleWaiters: Array<() => void> = [];

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

  /** Takes a slot; rejects with `TemporaryError` when none frees up before `deadline` (epoch ms). */
  acquire(deadline: number): Promise<void> {
    if (this.used < this.limitValue && this.waiters.length === 0) {
      this.used++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(
          () => {
            const index = this.waiters.indexOf(waiter);
            if (index >= 0) this.waiters.splice(index, 1);
            reject(
              new TemporaryError(`No MQTT publish slot freed up in time (${this.limitValue} in flight).`),
            );
          },
          Math.max(0, deadline - Date.now()),
        ),
      };
      waiter.timer.unref();
      this.waiters.push(waiter);
    });
  }

  release(): void {
    this.used--;
    this.grantWaiting();
    if (this.used === 0) {
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

  private grantWaiting(): void {
    while (this.used < this.limitValue && this.waiters.length > 0) {
      this.used++;
      (this.waiters.shift() as Waiter).grant();
    }
  }
}
