import { DatabusError } from './databus.error';

/**
 * No reply arrived for a request within its timeout. Retriable: the responder may just be slow or restarting.
 * @publicApi
 */
export class RequestTimeoutError extends DatabusError {
  readonly retriable = true;

  constructor(
    /** Where the request was sent (dataset, queue or subject). */
    readonly destination: string,
    /** The timeout that expired, in milliseconds. */
    readonly timeoutMs: number,
    /** The message, where "no reply from" does not fit what timed out (e.g. `Subscription.wait`). */
    message = `No reply from "${destination}" within ${timeoutMs} ms.`,
  ) {
    super(message);
  }
}
