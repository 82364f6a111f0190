import type { Channel, ChannelModel } from 'amqplib';

/**
 * One lazily opened channel per connection (a confirm channel for publishing, a plain one for topology):
 * `get(model)` returns the open channel of `model`, or opens one; a channel that closes, fails to open or
 * belongs to an older connection is replaced on the next `get`. Channel errors are observed (never
 * unhandled) and kept as the channel's close reason.
 */
export class AmqpChannelSlot<C extends Channel> {
  private channel?: Promise<C>;
  private model?: ChannelModel;
  private readonly reasons = new WeakMap<Channel, Error>();

  constructor(private readonly open: (model: ChannelModel) => Promise<C>) {}

  /** The open channel of `model`, opening one when there is none (or only one of another connection). */
  get(model: ChannelModel): Promise<C> {
    if (this.channel && this.model === model) return this.channel;
    this.model = model;
    const opening = this.open(model).then((channel) => {
      channel.on('error', (error: Error) => this.reasons.set(channel, error));
      channel.on('close', () => {
        if (this.channel === opening) this.channel = undefined;
      });
      return channel;
    });
    opening.catch(() => {
      if (this.channel === opening) this.channel = undefined;
    });
    this.channel = opening;
    return opening;
  }

  /** The error that closed `channel`, if the broker sent one (e.g. 404 on publish to a missing exchange). */
  closeReason(channel: Channel): Error | undefined {
    return this.reasons.get(channel);
  }

  /** Forgets the channel (a new connection, or a publish that failed on it). */
  reset(): void {
    this.channel = undefined;
    this.model = undefined;
  }

  /** Closes the channel, if any. */
  async close(): Promise<void> {
    const channel = this.channel;
    this.reset();
    await channel?.then((c) => c.close()).catch(() => undefined);
  }
}

/**
 * The pause before publishing again what a lost channel, a nack or a return left unconfirmed (the same
 * pacing in streaming and queue, through the shared `retry`): 25 ms, doubling up to 1 s, with jitter,
 * never past the publish deadline.
 */
export const PUBLISH_BACKOFF = Object.freeze({ initialMs: 25, maxMs: 1000, factor: 2, jitter: 0.2 });
