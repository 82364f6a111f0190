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

  /** Publishes `messages` in order to `dataset`; resolves with one acknowledgement per message. */
  async publish(dataset: string, messages: readonly NatsOutgoing[]): Promise<PubAck[]> {
    const deadline = Date.now() + this.options.produceTimeoutMs;
    const at = await this.withRetry(dataset, deadline, async () => {
      await this.options.whenConnected(deadline);
      return this.streams.locate(dataset);
    });
    return Promise.all(messages.map((m) => this.publishOne(dataset, at, m, deadline)));
  }

  private publishOne(
    dataset: string,
    at: DatasetLocation,
    message: NatsOutgoing,
    deadline: number,
  ): Promise<PubAck> {
    const msgID = this.options.dedupe ? randomUUID() : undefined;
    return this.withRetry(dataset, deadline, async () => {
      await this.options.whenConnected(deadline);
      const timeout = Math.max(1, Math.min(this.options.apiTimeoutMs, deadline - Date.now()));
      try {
        return await this.js().publish(at.subject, message.data, {
          headers: message.headers,
          msgID,
          timeout,
        });
      } catch (error) {
        if (isNoResponders(error)) {
          this.streams.forget(dataset);
          await this.streams.locate(dataset);
          // The stream exists, yet nobody answered: it has no leader at the moment (a cluster electing one
          // after losing a node, or a stream just created). nats.js calls this "JetStream not enabled".
          throw new TemporaryError(
            `nats produce to "${dataset}": the stream "${at.stream}" has no leader right now (no responders)`,
            { cause: error },
          );
        }
        throw error;
      }
    });
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
