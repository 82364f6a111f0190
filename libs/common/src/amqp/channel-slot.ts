import type { Channel, ChannelModel } from 'amqplib';
import { backoffDelay, resolveBackoff } from '../retry';

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

const PUBLISH_PAUSE = resolveBackoff({ initialMs: 25, maxMs: 1000, factor: 2, jitter: 0.2 }, 'publish');

/**
 * The pause before re-publishing what a lost channel did not confirm (the same pacing in streaming and
 * queue): 25 ms, doubling up to 1 s, never past the publish deadline. A dying connection is not always
 * marked closed yet, so this keeps a retry from spinning; the wait for the new connection follows.
 */
export function publishRetryDelay(attempt: number, remainingMs: number): number {
  return Math.max(0, Math.min(backoffDelay(attempt, PUBLISH_PAUSE), remainingMs));
}
