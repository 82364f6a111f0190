import { RequestTimeoutError } from '../errors';

interface Entry<T> {
  destination: string;
  resolve(value: T): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
  cleanup?: () => void;
}

/**
 * The requests of one client waiting for their replies, by correlation id: the request/reply table every
 * transport and the task queue share.
 * - `expect` registers a request before it is sent; its promise rejects with `RequestTimeoutError` naming the
 *   destination after `timeoutMs` (an `unref`'d timer: a waiting request never keeps a process alive);
 * - `resolve` / `reject` settle one request (late or unknown ids are ignored), `rejectAll` every one;
 * - the promise never counts as an unhandled rejection while the caller is still sending the request.
 */
export class PendingReplies<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /** Requests waiting for their reply. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Registers request `id` sent to `destination`. `cleanup` runs once when it settles, however it does
   * (e.g. to unsubscribe a per-request inbox).
   */
  expect(id: string, destination: string, timeoutMs: number, cleanup?: () => void): Promise<T> {
    const reply = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => this.reject(id, new RequestTimeoutError(destination, timeoutMs)),
        timeoutMs,
      );
      timer.unref();
      this.entries.set(id, { destination, resolve, reject, timer, cleanup });
    });
    reply.catch(() => undefined);
    return reply;
  }

  /** Where request `id` was sent, while it waits; `undefined` for an unknown or settled id. */
  destination(id: string): string | undefined {
    return this.entries.get(id)?.destination;
  }

  /** Settles request `id` with its reply. False when no such request waits (timed out, or another's reply). */
  resolve(id: string, value: T): boolean {
    const entry = this.take(id);
    entry?.resolve(value);
    return entry !== undefined;
  }

  /** Fails request `id` (its send failed, its reply says it failed). False when no such request waits. */
  reject(id: string, error: unknown): boolean {
    const entry = this.take(id);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** Fails every waiting request (client closing, connection lost). */
  rejectAll(error: unknown): void {
    for (const id of [...this.entries.keys()]) this.reject(id, error);
  }

  private take(id: string): Entry<T> | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    entry.cleanup?.();
    return entry;
  }
}
