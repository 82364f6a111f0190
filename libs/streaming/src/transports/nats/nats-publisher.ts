import { randomUUID } from 'node:crypto';
import { describeAttempt, isRetriable, ResolvedBackoff, retry, TemporaryError } from '@databus/common';
import type { TransportLogger } from '../../transport/transport.interface';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from './nats-client';
import { isNoResponders, mapNatsError } from './nats-error.mapper';
import { DatasetLocation, NatsStreams } from './nats-streams';

/** One message ready for JetStream. */
export interface NatsOutgoing {
  data: Uint8Array;
  headers: MsgHdrs;
}

/** How the publisher retries. */
export interface NatsPublisherOptions {
  /** Total time a produce may wait for the broker (the module's `produceTimeoutMs`). */
  produceTimeoutMs: number;
  /** Timeout of one publish acknowledgement. */
  apiTimeoutMs: number;
  dedupe: boolean;
  reconnect: ResolvedBackoff;
  /** True once the transport is closing: no more retries. */
  isClosed: () => boolean;
  /** Gets one line per failed attempt (at debug: one publish per message may fail at once in an outage). */
  logger: TransportLogger;
  /**
   * Resolves once the connection is up (or at `deadline`). nats.js buffers a publish made while
   * disconnected, but its acknowledgement never arrives after the reconnect, so publishes wait instead.
   */
  whenConnected: (deadline: number) => Promise<void>;
  /** Whether the connection is up now (then `whenConnected` would resolve at once). */
  connected: () => boolean;
}

/**
 * Publishes to JetStream and resolves with the stream's acknowledgements (`PubAck`: the message is stored).
 * During an outage each message is retried with backoff, with the same `Nats-Msg-Id` so that the stream's
 * duplicate window drops copies of attempts that did land; after `produceTimeoutMs` it fails with
 * `RetriesExhaustedError` (a `TemporaryError` naming `produceTimeoutMs`), through the shared `retry` policy. "No responders" (JetStream restarting, or the stream deleted) also re-checks the stream.
 */
export class NatsPublisher {
  constructor(
    private readonly js: () => JetStreamClient,
    private readonly streams: NatsStreams,
    private readonly options: NatsPublisherOptions,
  ) {}

  /**
   * Publishes `messages` in order to `dataset`; resolves with one acknowledgement per message.
   * While connected and with the dataset's stream known, every message goes out at once, in this call (no
   * retry loop, deadline timer or await per message); a message whose first attempt fails continues in the
   * retry loop as its attempt 2, with the same `Nats-Msg-Id`, until the same deadline.
   */
  publish(dataset: string, messages: readonly NatsOutgoing[]): Promise<PubAck[]> {
    const deadline = Date.now() + this.options.produceTimeoutMs;
    const at = this.options.connected() ? this.streams.located(dataset) : undefined;
    if (!at) return this.publishLocating(dataset, messages, deadline);
    const js = this.js();
    const pending = new Array<Promise<PubAck>>(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i];
      const msgID = this.options.dedupe ? randomUUID() : undefined;
      pending[i] = this.send(js, at, message, msgID, deadline).then(undefined, (first) =>
        this.publishOne(dataset, at, message, deadline, msgID, first),
      );
    }
    return Promise.all(pending);
  }

  /** `publish` before the stream is located or while disconnected: waits for both, within the deadline. */
  private async publishLocating(
    dataset: string,
    messages: readonly NatsOutgoing[],
    deadline: number,
  ): Promise<PubAck[]> {
    const at = await this.withRetry(dataset, deadline, async () => {
      await this.options.whenConnected(deadline);
      return this.streams.locate(dataset);
    });
    return Promise.all(
      messages.map((m) =>
        this.publishOne(dataset, at, m, deadline, this.options.dedupe ? randomUUID() : undefined),
      ),
    );
  }

  /**
   * Publishes one message with retries; `first` is the failure of an attempt already made (it counts as
   * attempt 1: handled, classified and logged like any other).
   */
  private publishOne(
    dataset: string,
    at: DatasetLocation,
    message: NatsOutgoing,
    deadline: number,
    msgID: string | undefined,
    first?: unknown,
  ): Promise<PubAck> {
    let failed = first !== undefined;
    return this.withRetry(dataset, deadline, async () => {
      if (failed) {
        failed = false;
        return this.failed(dataset, at, first);
      }
      await this.options.whenConnected(deadline);
      try {
        return await this.send(this.js(), at, message, msgID, deadline);
      } catch (error) {
        return this.failed(dataset, at, error);
      }
    });
  }

  /** One publish of `message` (a synchronous throw as a rejection). */
  private send(
    js: JetStreamClient,
    at: DatasetLocation,
    message: NatsOutgoing,
    msgID: string | undefined,
    deadline: number,
  ): Promise<PubAck> {
    const timeout = Math.max(1, Math.min(this.options.apiTimeoutMs, deadline - Date.now()));
    try {
      return js.publish(at.subject, message.data, { headers: message.headers, msgID, timeout });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Rejects with `error`; "no responders" first re-checks the stream and becomes a `TemporaryError`. */
  private async failed(dataset: string, at: DatasetLocation, error: unknown): Promise<never> {
    if (!isNoResponders(error)) throw error;
    this.streams.forget(dataset);
    await this.streams.locate(dataset);
    // The stream exists, yet nobody answered: it has no leader at the moment (a cluster electing one
    // after losing a node, or a stream just created). nats.js calls this "JetStream not enabled".
    throw new TemporaryError(
      `nats produce to "${dataset}": the stream "${at.stream}" has no leader right now (no responders)`,
      { cause: error },
    );
  }

  private withRetry<T>(dataset: string, deadline: number, run: () => Promise<T>): Promise<T> {
    return retry(
      async () => {
        try {
          return await run();
        } catch (error) {
          throw mapNatsError(error, 'produce', `to "${dataset}"`);
        }
      },
      {
        attempts: Number.POSITIVE_INFINITY,
        deadlineMs: Math.max(1, deadline - Date.now()),
        backoff: this.options.reconnect,
      },
      {
        classify: (error) => (isRetriable(error) && !this.options.isClosed() ? 'transient' : 'permanent'),
        deadlineOption: 'StreamingModule.produceTimeoutMs',
        deadlineBudgetMs: this.options.produceTimeoutMs,
        onAttempt: (report) =>
          this.options.logger.debug(describeAttempt(`nats produce to "${dataset}"`, report)),
      },
    );
  }
}
