import { DatabusError } from '@databus/common';

const REALTIME_ERROR = Symbol.for('databus.realtime.error');

/** What every realtime error says about the call that failed. Never holds the API key. */
export interface RealtimeErrorContext {
  /** The Centrifugo API method that was called, e.g. `publish`. */
  readonly method: string;
  /** The endpoint that was called, with any credentials in it masked. */
  readonly endpoint: string;
}

/**
 * Marks `error` as a realtime error so that `instanceof RealtimeError` holds for it. Called by the
 * constructor of every concrete realtime error.
 */
export function brandRealtimeError(error: Error): void {
  Object.defineProperty(error, REALTIME_ERROR, { value: true, enumerable: false });
}

/**
 * Base type of every error thrown by the Centrifugo client: `catch (e) { if (e instanceof RealtimeError) … }`.
 *
 * Why a brand and not a superclass: each concrete error also belongs to the databus hierarchy, so that the
 * streaming runtime and `retry()` treat it right without knowing this lib:
 * - `NetworkError`, `TimeoutError` extend `TemporaryError` (retried);
 * - `UnauthorizedError` extends `AuthenticationError`, `DecodeError` extends common's `PayloadDecodeError`,
 *   `ApiResponseError` extends `PermanentError` (not retried);
 * - `TransportError` extends `DatabusError` and is retriable for 5xx, 408 and 429 only.
 * A class cannot have two parents, so `RealtimeError` recognises its members by a brand (`Symbol.hasInstance`).
 * @publicApi
 */
export abstract class RealtimeError extends DatabusError implements RealtimeErrorContext {
  abstract readonly method: string;
  abstract readonly endpoint: string;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && REALTIME_ERROR in value;
  }
}
