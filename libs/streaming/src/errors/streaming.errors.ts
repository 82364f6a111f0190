import { ConsumerError, PermanentError } from '@databus/common';

/**
 * A group subscribed with `offset: 'none'` (`Offset.NONE`) has no committed position to resume from.
 * @publicApi
 */
export class NoCommittedPositionError extends PermanentError {
  constructor(
    readonly dataset: string,
    readonly group: string | undefined,
  ) {
    super(
      group
        ? `Group "${group}" has no committed position on dataset "${dataset}" and its offset is "none".`
        : `Offset "none" needs a consumer group (dataset "${dataset}").`,
    );
  }
}

/** An operation was called on a subscription or channel that is already closed or destroyed. @publicApi */
export class SubscriptionClosedError extends PermanentError {
  constructor(
    readonly operation: string,
    readonly what = 'subscription',
  ) {
    super(`Cannot ${operation}: the ${what} is closed.`);
  }
}

/** A subscription lost its place at the broker (it expired, was deleted, or the connection dropped). @publicApi */
export class SubscriptionLostError extends ConsumerError {}

/**
 * The handler of a request failed on the responding side; `remoteName` is the error class it threw there.
 * @publicApi
 */
export class RemoteHandlerError extends PermanentError {
  constructor(
    readonly destination: string,
    readonly remoteName: string,
    remoteMessage: string,
  ) {
    super(`The handler of "${destination}" failed: ${remoteName}: ${remoteMessage}`);
  }
}

/**
 * An iterator with `autoCommit: false` holds `prefetch` uncommitted messages: nothing more is fetched until
 * `commit()` (or `message.ack()`) releases some. Raised instead of growing memory or blocking forever.
 * @publicApi
 */
export class PrefetchLimitError extends PermanentError {
  constructor(
    readonly dataset: string,
    readonly prefetch: number,
  ) {
    super(
      `${prefetch} messages of "${dataset}" are delivered and uncommitted (prefetch); call commit() or message.ack() before reading more.`,
    );
  }
}
