import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { PermanentError } from '@databus/common';
import { DEFAULT_CONNECT_TIMEOUT_MS, describeBrokerUrl } from '@databus/common/internal';
import { AmqpClient } from '@databus/common/amqp';
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
    const model = await this.ready(timeoutMs);
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
    await this.client.close();
  }
}
