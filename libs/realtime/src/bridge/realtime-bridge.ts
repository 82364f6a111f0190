import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigurationError } from '@databus/common';
import type { ChannelService, DatasetMessage, Subscription } from '@databus/streaming';
import type { PublishResult } from '../api/results';
import type { CentrifugoClient } from '../client/centrifugo.client';
import { PublishBatcher } from './publish-batcher';
import type { RealtimeBridgeOptions } from './realtime-bridge-options.interface';

/** Default `batch` of the bridge: most publishes per Centrifugo `batch` call. */
export const BRIDGE_DEFAULT_BATCH = 100;
/** Default `maxWaitMs` of the bridge's fetches: low latency, still batching under load. */
export const BRIDGE_DEFAULT_MAX_WAIT_MS = 100;

/**
 * Forwards the messages of one dataset to Centrifugo channels. It subscribes through `ChannelService` with a
 * callback, so every message gets the streaming runtime's semantics: a publish that fails is retried with
 * backoff, then the message goes to the dead-letter dataset; permanent failures (unknown channel, bad
 * request, a body that is not JSON, a `channel()` that returns nothing) go there at once. Publishes of one
 * tick share one Centrifugo `batch` call.
 *
 * Subscribes on application bootstrap; on shutdown stops fetching and drains in-flight publishes before the
 * client closes.
 * @publicApi
 */
export class RealtimeBridge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private readonly batcher: PublishBatcher;
  private subscription?: Subscription;

  constructor(
    /** The options this bridge was registered with. */
    readonly options: RealtimeBridgeOptions,
    private readonly client: CentrifugoClient,
    private readonly channels: ChannelService,
  ) {
    this.logger = new Logger(`RealtimeBridge:${options.dataset}`);
    this.batcher = new PublishBatcher(
      client,
      options.batch ?? BRIDGE_DEFAULT_BATCH,
      options.parallel ?? false,
    );
  }

  /** Whether the bridge is subscribed. */
  get running(): boolean {
    return this.subscription !== undefined;
  }

  /** @internal Subscribes once the application (and the streaming connection) is up. */
  async onApplicationBootstrap(): Promise<void> {
    const o = this.options;
    const batch = o.batch ?? BRIDGE_DEFAULT_BATCH;
    this.subscription = await this.channels.subscribe(o.dataset, {
      group: o.group ?? `${o.dataset}.realtime-bridge`,
      offset: o.offset,
      batch,
      concurrency: batch,
      maxWaitMs: o.maxWaitMs ?? BRIDGE_DEFAULT_MAX_WAIT_MS,
      retry: o.retry,
      deadLetter: o.deadLetter,
      callback: (message) => this.forward(message),
    });
    this.logger.log(`Forwarding "${o.dataset}" to Centrifugo at ${this.client.endpoint}`);
  }

  /** @internal Stops fetching, lets in-flight publishes finish, then flushes what is left. */
  async beforeApplicationShutdown(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
    await this.batcher.drain();
  }

  /** Publishes one message; its promise settles with the message's own outcome in the batch. */
  forward(message: DatasetMessage): Promise<PublishResult> {
    const o = this.options;
    const channel = o.channel(message);
    if (typeof channel !== 'string' || channel === '')
      throw new ConfigurationError(
        `RealtimeBridgeModule(${o.dataset}).channel`,
        'a function returning a non-empty channel name',
        {
          received: `${channel === '' ? 'an empty string' : typeof channel} for message ${message.sequence}`,
        },
      );
    const extra = o.publish?.(message) ?? {};
    const idempotencyKey =
      (o.idempotent ?? true) ? `${message.dataset}:${message.partition ?? 0}:${message.sequence}` : undefined;
    return this.batcher.publish({
      ...extra,
      channel,
      data: o.data ? o.data(message) : message.json(),
      ...(idempotencyKey !== undefined && extra.idempotencyKey === undefined ? { idempotencyKey } : {}),
    });
  }
}
