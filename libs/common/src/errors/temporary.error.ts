import { DatabusError } from './databus.error';

/**
 * A failure that may go away by itself: a broker restart, a network cut, a timeout talking to a broker.
 * Retried with backoff when `retryOnFail` is on (the default).
 * @publicApi
 */
export class TemporaryError extends DatabusError {
  readonly retriable = true;
}

/**
 * A temporary failure of a consumer: its subscription was lost, a fetch failed, a commit did not reach the
 * broker. The runtime reconnects and resumes from the committed position.
 * @publicApi
 */
export class ConsumerError extends TemporaryError {}
