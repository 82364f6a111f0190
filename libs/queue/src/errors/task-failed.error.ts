import { PermanentError } from '@databus/common';

/**
 * The handler behind a `TaskQueue.request()` failed for good (its message was dead-lettered or rejected);
 * carries the remote error's name and message.
 * @publicApi
 */
export class TaskFailedError extends PermanentError {
  constructor(
    /** The queue the request was sent to. */
    readonly queue: string,
    /** The name of the error the handler threw, e.g. `TypeError`. */
    readonly remoteName: string,
    /** The handler's error message (secrets masked). */
    readonly remoteMessage: string,
  ) {
    super(`The handler of "${queue}" failed: ${remoteName}: ${remoteMessage}`);
  }
}
