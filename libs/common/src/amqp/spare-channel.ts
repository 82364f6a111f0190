import type { Channel, ChannelModel } from 'amqplib';

interface Spare<C extends Channel> {
  model: ChannelModel;
  channel: C;
  /** The `basic.qos` prefetch count already applied to `channel`. */
  prefetch: number;
  onClose: () => void;
}

/**
 * One consumer channel opened ahead on a connection, so that the next consumer does not wait for
 * `channel.open` (and `confirm.select`, and `basic.qos` when its prefetch is the one applied ahead):
 * `take(model, prefetch)` hands out the spare channel of `model` with `basic.qos(prefetch)` applied, or
 * `undefined` when none is ready (the caller then opens one as usual); `refill(model, prefetch)` opens the
 * next one in the background, which a consumer calls once its own `basic.consume` is answered (so the
 * broker is not setting up both at once). A spare that closes, fails to open or belongs to an older
 * connection is dropped; nothing is opened before the first `refill`, so a connection that never consumes
 * holds no spare.
 */
export class AmqpSpareChannel<C extends Channel> {
  private spare?: Spare<C>;
  private opening?: Promise<void>;
  private openingModel?: ChannelModel;
  private closed = false;

  constructor(private readonly open: (model: ChannelModel) => Promise<C>) {}

  /**
   * The spare channel of `model` with `basic.qos(prefetch)` applied, taken out of the spare (its
   * owner closes it; one still opening is waited for), or `undefined` when there is none for `model`.
   */
  async take(model: ChannelModel, prefetch: number): Promise<C | undefined> {
    // One still opening is further along than a channel opened now would be.
    if (!this.spare && this.opening && this.openingModel === model) await this.opening;
    const spare = this.spare;
    this.spare = undefined;
    if (!spare) return undefined;
    spare.channel.removeListener('close', spare.onClose);
    if (spare.model !== model) {
      await spare.channel.close().catch(() => undefined);
      return undefined;
    }
    if (spare.prefetch !== prefetch) {
      try {
        await spare.channel.prefetch(prefetch);
      } catch {
        await spare.channel.close().catch(() => undefined);
        return undefined;
      }
    }
    return spare.channel;
  }

  /** Closes the spare channel, if any, and opens no more. */
  async close(): Promise<void> {
    this.closed = true; // a spare still opening closes itself
    await this.drop();
  }

  /** Closes the spare channel, if any. */
  private async drop(): Promise<void> {
    const spare = this.spare;
    this.spare = undefined;
    if (!spare) return;
    spare.channel.removeListener('close', spare.onClose);
    await spare.channel.close().catch(() => undefined);
  }

  /**
   * Opens a spare on `model` with `basic.qos(prefetch)` in the background, unless there is one for `model`
   * already or one is opening (a failure only leaves none).
   */
  refill(model: ChannelModel, prefetch: number): void {
    if (this.opening || this.closed || this.spare?.model === model) return;
    this.openingModel = model;
    const opening = (async () => {
      let channel: C | undefined;
      try {
        channel = await this.open(model);
        await channel.prefetch(prefetch);
      } catch {
        await channel?.close().catch(() => undefined);
        return;
      }
      if (this.closed) {
        await channel.close().catch(() => undefined);
        return;
      }
      void this.drop(); // one of an older connection
      const spare: Spare<C> = {
        model,
        channel,
        prefetch,
        onClose: () => {
          if (this.spare === spare) this.spare = undefined;
        },
      };
      channel.once('close', spare.onClose);
      this.spare = spare;
    })();
    const tracked: Promise<void> = opening.finally(() => {
      if (this.opening === tracked) this.opening = undefined;
    });
    this.opening = tracked;
  }
}
