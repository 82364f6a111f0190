/**
 * What happens on a streaming connection, as a discriminated union on `type`. Observe it with
 * `ChannelService.onEvent(listener)`; one event per state change, never one per message (except failures).
 * @publicApi
 */
export type StreamingEvent =
  | { type: 'connected'; connection: string }
  | { type: 'disconnected'; connection: string; error?: Error }
  | { type: 'reconnecting'; connection: string; attempt: number; delayMs: number; error?: Error }
  | { type: 'closed'; connection: string }
  | { type: 'subscribed'; connection: string; dataset: string; group?: string; handler?: string }
  | {
      type: 'resubscribing';
      connection: string;
      dataset: string;
      group?: string;
      attempt: number;
      delayMs: number;
      error: Error;
    }
  | {
      type: 'handler-failed';
      connection: string;
      dataset: string;
      group?: string;
      sequence: number;
      attempt: number;
      willRetry: boolean;
      error: Error;
    }
  | {
      type: 'dead-lettered';
      connection: string;
      dataset: string;
      group?: string;
      sequence: number;
      deadLetter: string | false;
      attempts: number;
      error: Error;
    }
  | {
      type: 'consumer-stopped';
      connection: string;
      dataset: string;
      group?: string;
      handler?: string;
      error?: Error;
    };

/** Receives streaming events. */
export type StreamingEventListener = (event: StreamingEvent) => void;
