import type { ChannelModel } from 'amqplib';
import * as amqplib from 'amqplib';
import type { LoggerService } from '@nestjs/common';
import { backoffDelay, BrokerCredentials, redactText, sleep, TemporaryError } from '@databus/common';
import type { ResolvedTaskQueueOptions } from '../../options/resolve-options';
import { CLOSED, NOT_CONNECTED, RECONNECTED, RECONNECTING } from '../../queue.messages';
import { StatusEmitter } from '../status-emitter';
import { amqpConnectArgs } from './rabbitmq.connect-options';
import { mapAmqpError } from './rabbitmq-error.mapper';

const OPENING_GRACE_MS = 2000;

/** Runs on every new connection before it is announced; a throw discards the connection and retries. */
export type OnConnected = (connection: ChannelModel, generation: number) => Promise<number>;

/**
 * Owns the AMQP connection: the first connect (bounded by `connectTimeoutMs`, permanent failures at once),
 * then after any loss a single reconnect loop with backoff that rotates through the cluster's hosts.
 * `onConnected` (topology, publisher, consumers) runs exactly once per new connection, before waiters wake.
 */
export class ConnectionSupervisor {
  private connection?: ChannelModel;
  private generationCounter = 0;
  private hostIndex = 0;
  private closing = false;
  private reconnecting = false;
  private readonly abort = new AbortController();
  private readonly waiters = new Set<() => void>();
  private unsubscribeCredentials?: () => void;
  private opening?: Promise<void>;

  constructor(
    private readonly options: ResolvedTaskQueueOptions,
    private readonly onConnected: OnConnected,
    private readonly status: StatusEmitter,
    private readonly logger: LoggerService,
    private readonly connectionName: string,
  ) {}

  /** The generation of the current connection (increments on every reconnect). */
  get generation(): number {
    return this.generationCounter;
  }

  /** The open connection, if any. */
  get current(): ChannelModel | undefined {
    return this.connection;
  }

  async start(): Promise<void> {
    const deadline = Date.now() + this.options.connectTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.open();
        this.watchCredentials();
        return;
      } catch (error) {
        const mapped = mapAmqpError(error, this.options.safeUrl);
        if (!mapped.retriable || this.closing) throw mapped;
        const delay = backoffDelay(attempt, this.options.reconnect);
        if (Date.now() + delay > deadline)
          throw new TemporaryError(
            `Could not connect to ${this.options.safeUrl} within ${this.options.connectTimeoutMs} ms: ${mapped.message}`,
            { cause: mapped },
          );
        await sleep(delay, this.abort.signal);
      }
    }
  }

  /** Resolves with the open connection, waiting for a reconnect up to `timeoutMs`; else `TemporaryError`. */
  whenConnected(timeoutMs: number): Promise<ChannelModel> {
    if (this.connection) return Promise.resolve(this.connection);
    if (this.closing) return Promise.reject(new TemporaryError(CLOSED));
    return new Promise<ChannelModel>((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        if (this.connection) resolve(this.connection);
        else reject(new TemporaryError(CLOSED));
      };
      const timer = setTimeout(
        () => {
          this.waiters.delete(wake);
          reject(new TemporaryError(NOT_CONNECTED(this.options.safeUrl, timeoutMs)));
        },
        Math.max(0, timeoutMs),
      );
      timer.unref();
      this.waiters.add(wake);
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.abort.abort(new TemporaryError(CLOSED));
    this.unsubscribeCredentials?.();
    const connection = this.connection;
    this.connection = undefined;
    for (const wake of [...this.waiters]) wake();
    if (connection) await connection.close().catch(() => undefined);
    // A connect in progress closes its own connection once it sees `closing`; wait for it (bounded).
    if (this.opening)
      await Promise.race([
        this.opening.catch(() => undefined),
        sleep(OPENING_GRACE_MS, undefined, { unref: true }),
      ]);
  }

  private open(): Promise<void> {
    const opening = this.openOnce();
    this.opening = opening;
    return opening.finally(() => {
      if (this.opening === opening) this.opening = undefined;
    });
  }

  private async openOnce(): Promise<void> {
    const hosts = this.options.url.hosts;
    const host = hosts[this.hostIndex++ % hosts.length];
    const credentials = await this.readCredentials();
    const args = amqpConnectArgs(this.options, host, credentials, this.connectionName);
    const connection = await amqplib.connect(args.connect, args.socket);
    let dead = false;
    connection.on('error', () => undefined); // 'close' follows and carries the decision
    connection.on('close', (error?: Error) => {
      dead = true;
      this.onClose(connection, error);
    });
    if (this.closing) {
      await connection.close().catch(() => undefined);
      throw new TemporaryError(CLOSED);
    }
    const generation = ++this.generationCounter;
    let consumers: number;
    try {
      consumers = await this.onConnected(connection, generation);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
    // The connection may have died while consumers were being attached; then start over.
    if (dead) throw new TemporaryError(`${this.options.safeUrl}: the connection closed during setup`);
    this.connection = connection;
    if (generation > 1) this.logger.log(RECONNECTED(this.options.safeUrl, consumers));
    this.status.emit({ type: 'connected', generation });
    for (const wake of [...this.waiters]) wake();
  }

  private onClose(connection: ChannelModel, error?: Error): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    if (this.closing) return;
    this.status.emit({ type: 'disconnected', error });
    void this.reconnectLoop(error);
  }

  private async reconnectLoop(cause?: Error): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    let last: unknown = cause;
    try {
      for (let attempt = 1; !this.closing; attempt++) {
        const delay = backoffDelay(attempt, this.options.reconnect);
        const mapped = last ? mapAmqpError(last, this.options.safeUrl) : undefined;
        const reason = mapped ? mapped.message : 'connection closed';
        // One line when the connection is lost, then one every tenth attempt while the outage lasts.
        if (attempt === 1 || attempt % 10 === 0)
          this.logger.warn(RECONNECTING(this.options.safeUrl, attempt, delay, redactText(reason)));
        this.status.emit({ type: 'reconnecting', attempt, delayMs: delay, error: mapped });
        try {
          await sleep(delay, this.abort.signal);
          await this.open();
          return;
        } catch (error) {
          last = error;
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  private async readCredentials(): Promise<BrokerCredentials | undefined> {
    return this.options.credentials ? this.options.credentials.get() : undefined;
  }

  /**
   * A refreshed token is pushed into the live connection (`update-secret`); a different principal needs a
   * new connection, so the current one is closed and the reconnect loop opens the next with it.
   */
  private watchCredentials(): void {
    const provider = this.options.credentials;
    if (!provider || this.unsubscribeCredentials) return;
    this.unsubscribeCredentials = provider.onRefresh((credentials, info) => {
      const connection = this.connection;
      if (!connection) return;
      const secret = credentials.token ?? credentials.password;
      if (info.principalChanged || !secret) {
        void connection.close().catch(() => undefined);
        return;
      }
      connection
        .updateSecret(Buffer.from(secret, 'utf8'), 'credentials refreshed')
        .catch((error: unknown) => {
          this.logger.warn(
            `update-secret failed, reconnecting: ${mapAmqpError(error, this.options.safeUrl).message}`,
          );
          void connection.close().catch(() => undefined);
        });
    });
  }
}
