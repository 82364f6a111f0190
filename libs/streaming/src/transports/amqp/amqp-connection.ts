import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { PermanentError } from '@databus/common';
import { DEFAULT_CONNECT_TIMEOUT_MS, describeBrokerUrl } from '@databus/common/internal';
import { AmqpClient, AmqpSpareChannel } from '@databus/common/amqp';
import { StatusEmitter } from '../../transport/transport-status';
import { TransportContext } from '../../transport/transport.interface';
import { ResolvedAmqpOptions } from './amqp.options';

/** The message of the errors of calls cut short by `close()`. */
export const CLOSED = 'The amqp transport is closed.';

/**
 * The transport's one AMQP connection, on the shared AMQP client (`@databus/common/amqp`, the same as the
 * queue's RabbitMQ backend): opens it (one attempt per `open()`, the streaming connection owns the
 * bootstrap budget), reconnects with backoff after an unexpected close, applies refreshed credentials and
 * reports every change through the transport's `StatusEmitter`.
 */
export class AmqpConnection {
  private readonly client: AmqpClient;
  /**
   * The next consumer's channel, opened ahead once the transport has consumed: a plain one for private
   * subscriptions (they publish nothing), a confirm one for group members (they write positions).
   */
  private readonly spares = {
    plain: new AmqpSpareChannel<Channel>((model) => this.openOn(model, false)),
    confirm: new AmqpSpareChannel<ConfirmChannel>((model) => this.openOn(model, true)),
  };
  private closed = false;
  /** The broker's address without credentials, as errors name it. */
  readonly where: string;

  constructor(context: TransportContext, options: ResolvedAmqpOptions, status: StatusEmitter) {
    const where = describeBrokerUrl(context.url);
    this.where = where;
    this.client = new AmqpClient({
      target: {
        secure: context.secure,
        hosts: context.url.hosts,
        vhost: context.url.path,
        tls: context.tls,
        heartbeatSeconds: options.heartbeatSeconds,
        socketTimeoutMs: options.socketTimeoutMs,
        connectionName: context.clientId,
        product: '@databus/streaming',
      },
      credentials: context.credentials,
      reconnect: context.reconnect,
      connectTimeoutMs: context.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      where,
      logger: context.logger,
      closedMessage: CLOSED,
      onStatus: (event) => {
        if (event.type === 'connected') {
          if (event.generation > 1) context.logger.log(`Reconnected to ${where}`);
          status.set({ type: 'connected' });
        } else status.set(event);
      },
    });
  }

  /** The live connection, if there is one right now. */
  get current(): ChannelModel | undefined {
    return this.client.current;
  }

  /** The pending reconnect wait's timer (referenced, so an outage does not let the process exit). */
  get reconnectTimer(): ReturnType<typeof setTimeout> | undefined {
    return this.client.reconnectTimer;
  }

  /** One attempt to open the first connection; throws a mapped error (permanent or temporary). */
  async open(): Promise<void> {
    this.closed = false;
    await this.client.connectOnce();
  }

  /**
   * A live connection: at once when connected, else after the reconnect loop restores one. Fails with
   * `TemporaryError` after `timeoutMs`, and with `PermanentError` when the transport is closed.
   */
  ready(timeoutMs: number): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(new PermanentError(CLOSED));
    return this.client.whenConnected(
      timeoutMs,
      `The broker connection did not come back within ${timeoutMs} ms.`,
    );
  }

  /** Opens a channel (a confirm channel when `confirm`) whose errors are observed, never unhandled. */
  async channel(confirm: true, timeoutMs: number): Promise<ConfirmChannel>;
  async channel(confirm: false, timeoutMs: number): Promise<Channel>;
  async channel(confirm: boolean, timeoutMs: number): Promise<Channel> {
    return this.openOn(await this.ready(timeoutMs), confirm);
  }

  /**
   * A channel for a consumer (a confirm channel when `confirm`), with `basic.qos(prefetch)` applied: the spare
   * one opened ahead (`prepareConsumerChannel`) when there is one (no round trip when its prefetch is the
   * same), else a new one.
   */
  async consumerChannel(prefetch: number, timeoutMs: number, confirm: true): Promise<ConfirmChannel>;
  async consumerChannel(prefetch: number, timeoutMs: number, confirm: boolean): Promise<Channel>;
  async consumerChannel(prefetch: number, timeoutMs: number, confirm: boolean): Promise<Channel> {
    const model = await this.ready(timeoutMs);
    const spare = await (confirm ? this.spares.confirm : this.spares.plain).take(model, prefetch);
    if (spare) return spare;
    const channel = await this.openOn(model, confirm);
    try {
      await channel.prefetch(prefetch);
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
    return channel;
  }

  /**
   * Opens the next consumer's channel ahead, in the background, on the live connection (a consumer calls
   * this once its `basic.consume` is answered): the next `consumerChannel` then skips `channel.open`.
   */
  prepareConsumerChannel(prefetch: number, confirm: boolean): void {
    const model = this.client.current;
    if (model && !this.closed) (confirm ? this.spares.confirm : this.spares.plain).refill(model, prefetch);
  }

  /** Opens a channel on `model` whose errors are observed, never unhandled. */
  private async openOn(model: ChannelModel, confirm: true): Promise<ConfirmChannel>;
  private async openOn(model: ChannelModel, confirm: boolean): Promise<Channel>;
  private async openOn(model: ChannelModel, confirm: boolean): Promise<Channel> {
    const channel = confirm ? await model.createConfirmChannel() : await model.createChannel();
    channel.on('error', () => undefined); // the 'close' that follows is what owners react to
    return channel;
  }

  /** Calls `listener` when the live connection is lost (every channel on it is gone). */
  onLost(listener: (error: Error) => void): () => void {
    return this.client.onLost(listener);
  }

  /** Closes the connection and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.spares.plain.close(), this.spares.confirm.close()]);
    await this.client.close();
  }
}
