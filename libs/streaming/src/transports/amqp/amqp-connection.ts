import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import {
  backoffDelay,
  BrokerCredentials,
  BrokerHost,
  DatabusError,
  PermanentError,
  redactText,
  TemporaryError,
} from '@databus/common';
import { StatusEmitter } from '../../transport/transport-status';
import { TransportContext } from '../../transport/transport.interface';
import { mapConnectError } from './amqp-error.mapper';
import { ResolvedAmqpOptions } from './amqp.options';

type Waiter = { resolve: (model: ChannelModel) => void; reject: (error: Error) => void };

/**
 * The transport's one AMQP connection: opens it on the first reachable host of the URL, reconnects with
 * backoff after an unexpected close (broker restart, network cut), pushes refreshed credentials into the
 * live connection (`connection.update-secret`) or reconnects when the principal changed, and reports every
 * change through the transport's `StatusEmitter`.
 */
export class AmqpConnection {
  private model?: ChannelModel;
  private closed = false;
  private attempt = 0;
  private nextHost = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly waiters = new Set<Waiter>();
  private readonly lostListeners = new Set<(error: Error) => void>();
  private offRefresh?: () => void;

  constructor(
    private readonly context: TransportContext,
    private readonly options: ResolvedAmqpOptions,
    private readonly status: StatusEmitter,
  ) {}

  /** The live connection, if there is one right now. */
  get current(): ChannelModel | undefined {
    return this.model;
  }

  /** Opens the first connection. Throws a mapped error; no reconnect loop starts from a failed open. */
  async open(): Promise<void> {
    if (this.model) return;
    this.closed = false;
    this.status.set({ type: 'connecting' });
    try {
      this.adopt(await this.connectAny());
    } catch (error) {
      this.status.set({ type: 'disconnected', error: error as Error });
      throw error;
    }
    this.offRefresh ??= this.context.credentials?.onRefresh((credentials, info) =>
      this.onCredentials(credentials, info.principalChanged),
    );
  }

  /**
   * A live connection: at once when connected, else after the reconnect loop restores one. Fails with
   * `TemporaryError` after `timeoutMs`, and at once when the transport is closed.
   */
  ready(timeoutMs: number): Promise<ChannelModel> {
    if (this.model) return Promise.resolve(this.model);
    if (this.closed) return Promise.reject(new PermanentError('The amqp transport is closed.'));
    return new Promise<ChannelModel>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (model) => {
          clearTimeout(timer);
          resolve(model);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new TemporaryError(`The broker connection did not come back within ${timeoutMs} ms.`));
      }, timeoutMs);
      timer.unref();
      this.waiters.add(waiter);
    });
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
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Closes the connection and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.offRefresh?.();
    for (const waiter of [...this.waiters])
      waiter.reject(new PermanentError('The amqp transport is closed.'));
    this.waiters.clear();
    const model = this.model;
    this.model = undefined;
    await model?.close().catch(() => undefined);
  }

  private adopt(model: ChannelModel): void {
    this.model = model;
    this.attempt = 0;
    model.on('error', () => undefined); // followed by 'close'
    model.on('close', (error?: Error) => this.onClose(model, error));
    model.on('blocked', (reason: string) =>
      this.context.logger.warn(`The broker blocked publishing: ${reason}`),
    );
    this.status.set({ type: 'connected' });
    for (const waiter of [...this.waiters]) waiter.resolve(model);
    this.waiters.clear();
  }

  private onClose(model: ChannelModel, error?: Error): void {
    if (this.model !== model) return;
    this.model = undefined;
    if (this.closed) return;
    const lost = new TemporaryError(
      `The broker connection was lost (${redactText(error?.message ?? 'closed')}).`,
      error ? { cause: error } : undefined,
    );
    this.status.set({ type: 'disconnected', error: lost });
    for (const listener of [...this.lostListeners]) listener(lost);
    this.scheduleReconnect(lost);
  }

  private scheduleReconnect(error: Error): void {
    if (this.closed) return;
    const delayMs = backoffDelay(++this.attempt, this.context.reconnect);
    this.status.set({ type: 'reconnecting', attempt: this.attempt, delayMs, error });
    // Not unref'd: during an outage this timer is all that keeps a worker process (no HTTP server) alive.
    // close() clears it.
    this.reconnectTimer = setTimeout(() => void this.reconnect(), delayMs);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    try {
      const model = await this.connectAny();
      if (this.closed) {
        await model.close().catch(() => undefined);
        return;
      }
      this.context.logger.log('Reconnected to the broker');
      this.adopt(model);
    } catch (error) {
      this.context.logger.warn(`Reconnect attempt ${this.attempt} failed: ${(error as Error).message}`);
      this.scheduleReconnect(error as Error);
    }
  }

  /** Tries every host of the URL once, starting after the last one that failed. */
  private async connectAny(): Promise<ChannelModel> {
    const hosts = this.context.url.hosts;
    const credentials = await this.credentials();
    let last: DatabusError | undefined;
    for (let i = 0; i < hosts.length; i++) {
      const host = hosts[(this.nextHost + i) % hosts.length];
      try {
        const model = await this.connectTo(host, credentials);
        this.nextHost = (this.nextHost + i) % hosts.length;
        return model;
      } catch (error) {
        last = mapConnectError(error, this.describe(host));
        if (!last.retriable) throw last;
      }
    }
    this.nextHost = (this.nextHost + 1) % Math.max(hosts.length, 1);
    throw last ?? new TemporaryError('No broker host to connect to.');
  }

  private async credentials(): Promise<BrokerCredentials> {
    const provider = this.context.credentials;
    if (!provider) return {};
    try {
      return await provider.get();
    } catch (error) {
      if (error instanceof DatabusError) throw error;
      throw new TemporaryError(
        `Could not obtain broker credentials: ${redactText(String((error as Error)?.message))}`,
        {
          cause: error,
        },
      );
    }
  }

  private connectTo(host: BrokerHost, credentials: BrokerCredentials): Promise<ChannelModel> {
    const secure = this.context.secure;
    const tls = secure ? (this.context.tls ?? { rejectUnauthorized: true }) : undefined;
    const password = credentials.password ?? credentials.token;
    return connect(
      {
        protocol: secure ? 'amqps' : 'amqp',
        hostname: host.host,
        port: host.port ?? (secure ? 5671 : 5672),
        username: credentials.username ?? (password !== undefined ? '' : undefined),
        password,
        vhost: this.context.url.path || '/',
        heartbeat: this.options.heartbeatSeconds,
      },
      {
        timeout: this.options.connectTimeoutMs,
        noDelay: true,
        clientProperties: { connection_name: this.context.clientId },
        ...(tls
          ? {
              ca: tls.ca,
              cert: tls.cert,
              key: tls.key,
              pfx: tls.pfx,
              passphrase: tls.passphrase,
              servername: tls.servername,
              rejectUnauthorized: tls.rejectUnauthorized,
            }
          : {}),
      },
    );
  }

  private onCredentials(credentials: BrokerCredentials, principalChanged: boolean): void {
    const model = this.model;
    const secret = credentials.password ?? credentials.token;
    if (!model || secret === undefined) return;
    const reconnect = (why: string): void => {
      this.context.logger.log(`Reconnecting to apply refreshed credentials (${why})`);
      void model.close().catch(() => undefined); // the close handler reconnects with the new credentials
    };
    if (principalChanged || typeof model.updateSecret !== 'function') return reconnect('new principal');
    model.updateSecret(Buffer.from(secret, 'utf8'), 'databus credentials refresh').then(
      () => this.context.logger.debug('Broker credentials updated in place (update-secret)'),
      () => reconnect('update-secret refused'),
    );
  }

  private describe(host: BrokerHost): string {
    const scheme = this.context.secure ? 'amqps' : 'amqp';
    return `${scheme}://${host.host}:${host.port ?? (this.context.secure ? 5671 : 5672)}/${this.context.url.path}`;
  }
}
