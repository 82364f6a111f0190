import { randomUUID } from 'node:crypto';
import { backoffDelay, isRetriable, ResolvedBackoff, sleep, TemporaryError } from '@databus/common';
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
 * `TemporaryError`. "No responders" (JetStream restarting, or the stream deleted) also re-checks the stream.
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
        }
        throw error;
      }
    });
  }

  private async withRetry<T>(dataset: string, deadline: number, run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        const mapped = mapNatsError(error, 'produce', `to "${dataset}"`);
        if (!isRetriable(mapped) || this.options.isClosed()) throw mapped;
        const delay = backoffDelay(attempt, this.options.reconnect);
        if (Date.now() + delay >= deadline)
          throw new TemporaryError(
            `nats produce to "${dataset}" did not complete within produceTimeoutMs (${this.options.produceTimeoutMs} ms): ${mapped.message}`,
            { cause: error },
          );
        await sleep(delay);
      }
    }
  }
}
