import type { DeadLetterReason } from '../wire/wire-format';

/** Where a handler consumes from, as events and the registry name it. */
interface HandlerRef {
  connection: string;
  /** `Class.method` of the handler. */
  handler: string;
  /** The queue (`@TaskHandler`) or exchange (`@EventSubscriber`) it serves. */
  queue: string;
}

/**
 * What happens on a task-queue connection, as a discriminated union on `type`. Observe it with
 * `TaskQueue.onEvent(listener)`: one event per state change, never one per message (except failures).
 * @publicApi
 */
export type TaskQueueEvent =
  | { type: 'connected'; connection: string; generation: number }
  | { type: 'disconnected'; connection: string; error?: Error }
  | { type: 'reconnecting'; connection: string; attempt: number; delayMs: number; error?: Error }
  | { type: 'closed'; connection: string }
  | (HandlerRef & { type: 'consumer-attached'; reattached: boolean })
  | (HandlerRef & {
      type: 'handler-failed';
      messageId?: string;
      attempt: number;
      /** True when the message comes back for another attempt. */
      willRetry: boolean;
      error: Error;
    })
  | (HandlerRef & {
      type: 'dead-lettered';
      messageId?: string;
      /** The dead-letter queue, or false when the handler drops instead (`deadLetter: false`). */
      deadLetter: string | false;
      reason: DeadLetterReason;
      attempts: number;
      error: Error;
    })
  | (HandlerRef & {
      type: 'consumer-stopped';
      /** Why it stopped: `paused` and `stopped` from the registry, `failed` on an error, `shutdown`. */
      cause: 'paused' | 'stopped' | 'failed' | 'shutdown';
      error?: Error;
    });

/** Receives task-queue events. @publicApi */
export type TaskQueueEventListener = (event: TaskQueueEvent) => void;
