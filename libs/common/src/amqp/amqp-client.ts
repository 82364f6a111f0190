import type { ChannelModel } from 'amqplib';
import type { BrokerCredentials, CredentialsProvider } from '../credentials';
import { isRetriable, TemporaryError } from '../errors';
import type { BrokerHost } from '../config';
import { redactText } from '../logging';
import {
  backoffDelay,
  BackoffOptions,
  connectWithin,
  describeAttempt,
  resolveBackoff,
  retry,
  settlesWithin,
  sleep,
} from '../retry';
import { readBrokerCredentials } from '../credentials/read-credentials';
import { amqpConnectArgs, AmqpTarget, describeAmqpHost } from './connect-args';
import { mapAmqpConnectError } from './connect-error.mapper';
import { loadAmqplib } from './load-amqplib';
import { coalesceAmqpWrites } from './write-coalescing';

const OPENING_GRACE_MS = 2000;

/** Connection changes of an `AmqpClient`. */
export type AmqpClientStatus =
  | { type: 'connecting' }
  | { type: 'connected'; generation: number }
  | { type: 'disconnected'; error?: Error }
  | { type: 'reconnecting'; attempt: number; delayMs: number; error?: Error };

/** What an `AmqpClient` is built from. */
export interface AmqpClientOptions {
  target: AmqpTarget;
  /** Refreshable credentials; a refresh is pushed with `update-secret`, a new principal reconnects. */
  credentials?: CredentialsProvider;
  /** Backoff of the bootstrap retries and of the reconnect loop. */
  reconnect: BackoffOptions;
  /** Budget of `start()` (all bootstrap attempts together). */
  connectTimeoutMs: number;
  /** The URL without secrets, named in bootstrap errors. */
  where: string;
  logger: { log(message: string): void; warn(message: string): void; debug?(message: string): void };
  /** Runs on every new connection before it is announced; a throw discards the connection. */
  onConnected?: (model: ChannelModel, generation: number) => Promise<void>;
  onStatus?: (status: AmqpClientStatus) => void;
  /** Message of the `TemporaryError` once the client is closed. */
  closedMessage: string;
}

/**
 * The one AMQP connection owner of databus (streaming amqp transport, queue RabbitMQ backend): opens the
 * connection (one host per attempt, rotating through the URL's cluster), maps failures the same way for every
 * lib, runs `onConnected` once per new connection, and after a loss reconnects with backoff until closed,
 * one WARN line per failed attempt.
 */
export class AmqpClient {
  private model?: ChannelModel;
  private generationCounter = 0;
  private hostIndex = 0;
  private closing = false;
  private reconnecting = false;
  private readonly abort = new AbortController();
  private readonly waiters = new Set<() => void>();
  private readonly lostListeners = new Set<(error: Error) => void>();
  private unsubscribeCredentials?: () => void;
  private opening?: Promise<void>;
  private reconnectTimerValue?: ReturnType<typeof setTimeout>;

  constructor(private readonly options: AmqpClientOptions) {}

  /** The live connection, if any. */
  get current(): ChannelModel | undefined {
    return this.model;
  }

  /** The generation of the current connection (1 for the first, +1 on every reconnect). */
  get generation(): number {
    return this.generationCounter;
  }

  /**
   * The timer of the latest reconnect wait. Referenced: during an outage it is what keeps a worker process
   * (no HTTP server) alive; `close()` aborts it.
   */
  get reconnectTimer(): ReturnType<typeof setTimeout> | undefined {
    return this.reconnectTimerValue;
  }

  /**
   * Bootstrap: connects within `connectTimeoutMs` (permanent failures at once, transient ones retried with
   * one WARN line each), then watches credential refreshes.
   */
  async start(): Promise<void> {
    this.options.onStatus?.({ type: 'connecting' });
    await connectWithin(() => this.open(), {
      connectTimeoutMs: this.options.connectTimeoutMs,
      where: this.options.where,
      backoff: this.options.reconnect,
      logger: this.options.logger,
      signal: this.abort.signal,
    });
    this.watchCredentials();
  }

  /** One bootstrap attempt on the next host (a caller with its own connect budget retries). */
  async connectOnce(): Promise<void> {
    if (this.model) return;
    this.options.onStatus?.({ type: 'connecting' });
    await this.open();
    this.watchCredentials();
  }

  /** The open connection; waits for a reconnect up to `timeoutMs`, then rejects with `message`. */
  whenConnected(timeoutMs: number, message: string): Promise<ChannelModel> {
    if (this.model) return Promise.resolve(this.model);
    if (this.closing) return Promise.reject(new TemporaryError(this.options.closedMessage));
    return new Promise<ChannelModel>((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        if (this.model) resolve(this.model);
        else reject(new TemporaryError(this.options.closedMessage));
      };
      const timer = setTimeout(
        () => {
          this.waiters.delete(wake);
          reject(new TemporaryError(message));
        },
        Math.max(0, timeoutMs),
      );
      timer.unref();
      this.waiters.add(wake);
    });
  }

  /** Calls `listener` when the live connection is lost (every channel on it is gone). */
  onLost(listener: (error: Error) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Closes the connection and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.abort.abort(new TemporaryError(this.options.closedMessage));
    this.unsubscribeCredentials?.();
    const model = this.model;
    this.model = undefined;
    for (const wake of [...this.waiters]) wake();
    if (model) await model.close().catch(() => undefined);
    // A connect in progress closes its own connection once it sees `closing`; wait for it (bounded).
    if (this.opening) await settlesWithin(this.opening, OPENING_GRACE_MS);
  }

  private open(): Promise<void> {
    const opening = this.openOnce();
    this.opening = opening;
    return opening.finally(() => {
      if (this.opening === opening) this.opening = undefined;
    });
  }

  /**
   * One attempt: every host of the cluster once, starting after the last one that failed; a permanent
   * failure ends the attempt at once, else the last host's failure is thrown.
   */
  private async openOnce(): Promise<void> {
    const hosts = this.options.target.hosts;
    const credentials = await readBrokerCredentials(this.options.credentials, this.options.where);
    let last: unknown;
    for (let i = 0; i < hosts.length; i++) {
      const index = (this.hostIndex + i) % hosts.length;
      try {
        await this.openOn(hosts[index], credentials);
        this.hostIndex = index;
        return;
      } catch (error) {
        if (!isRetriable(error) || this.closing) throw error;
        last = error;
      }
    }
    this.hostIndex = (this.hostIndex + 1) % hosts.length;
    throw last ?? new TemporaryError('No broker host to connect to.');
  }

  private async openOn(host: BrokerHost, credentials: BrokerCredentials | undefined): Promise<void> {
    const { target } = this.options;
    const where = describeAmqpHost(target, host);
    const args = amqpConnectArgs(target, host, credentials);
    let model: ChannelModel;
    try {
      model = await loadAmqplib().connect(args.connect, args.socket);
    } catch (error) {
      throw mapAmqpConnectError(error, where);
    }
    if (!coalesceAmqpWrites(model))
      this.options.logger.debug?.(
        `${where}: this amqplib's connection internals are not the ones databus knows, so its frames are written one socket write each (slower, otherwise the same)`,
      );
    let dead = false;
    model.on('error', () => undefined); // 'close' follows and carries the decision
    model.on('close', (error?: Error) => {
      dead = true;
      this.onClose(model, error);
    });
    model.on('blocked', (reason: string) =>
      this.options.logger.warn(`The broker blocked publishing: ${reason}`),
    );
    if (this.closing) {
      await model.close().catch(() => undefined);
      throw new TemporaryError(this.options.closedMessage);
    }
    const generation = ++this.generationCounter;
    try {
      await this.options.onConnected?.(model, generation);
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
    // The connection may have died while it was being set up; then start over.
    if (dead) throw new TemporaryError(`${where}: the connection closed during setup`);
    this.model = model;
    this.options.onStatus?.({ type: 'connected', generation });
    for (const wake of [...this.waiters]) wake();
  }

  private onClose(model: ChannelModel, error?: Error): void {
    if (model !== this.model) return;
    this.model = undefined;
    if (this.closing) return;
    // The host that dropped the connection is likely the one going down: reconnect starting at the next.
    this.hostIndex = (this.hostIndex + 1) % this.options.target.hosts.length;
    const lost = new TemporaryError(
      `The broker connection was lost (${redactText(error?.message ?? 'closed')}).`,
      error ? { cause: error } : undefined,
    );
    this.options.onStatus?.({ type: 'disconnected', error: lost });
    for (const listener of [...this.lostListeners]) listener(lost);
    void this.reconnectLoop(lost);
  }

  /** Waits one backoff step, then retries until connected or closed, one WARN line per failed attempt. */
  private async reconnectLoop(lost: Error): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    const backoff = resolveBackoff(this.options.reconnect, 'reconnect');
    try {
      const first = backoffDelay(1, backoff);
      this.options.onStatus?.({ type: 'reconnecting', attempt: 1, delayMs: first, error: lost });
      await this.wait(first, this.abort.signal);
      await retry(
        () => this.open(),
        {
          attempts: Infinity,
          backoff: { ...backoff, initialMs: Math.min(backoff.maxMs, backoff.initialMs * backoff.factor) },
        },
        {
          signal: this.abort.signal,
          sleep: (ms, signal) => this.wait(ms, signal),
          classify: () => 'transient', // an outage may refuse anything for a while: keep trying until closed
          onAttempt: (report) => {
            if (report.outcome !== 'retry' || report.nextDelayMs === undefined) return;
            const error = report.error instanceof Error ? report.error : new Error(String(report.error));
            this.options.logger.warn(describeAttempt(`Reconnecting to ${this.options.where}`, report));
            this.options.onStatus?.({
              type: 'reconnecting',
              attempt: report.attempt + 1,
              delayMs: report.nextDelayMs,
              error,
            });
          },
        },
      );
    } catch {
      // closed while reconnecting
    } finally {
      this.reconnecting = false;
    }
  }

  private wait(ms: number, signal?: AbortSignal): Promise<void> {
    return sleep(ms, signal, { onTimer: (timer) => (this.reconnectTimerValue = timer) });
  }

  /**
   * A refreshed secret is pushed into the live connection (`update-secret`); a different principal needs a
   * new connection, so the current one is closed and the reconnect loop opens the next with it.
   */
  private watchCredentials(): void {
    const provider = this.options.credentials;
    if (!provider || this.unsubscribeCredentials) return;
    this.unsubscribeCredentials = provider.onRefresh((credentials, info) => {
      const model = this.model;
      const secret = credentials.token ?? credentials.password;
      if (!model || secret === undefined) return;
      const reconnect = (why: string): void => {
        this.options.logger.log(`Reconnecting to apply refreshed credentials (${why})`);
        void model.close().catch(() => undefined); // the close handler reconnects with the new credentials
      };
      if (info.principalChanged || typeof model.updateSecret !== 'function')
        return reconnect('new principal');
      model.updateSecret(Buffer.from(secret, 'utf8'), 'credentials refreshed').then(
        () => this.options.logger.debug?.('Broker credentials updated in place (update-secret)'),
        () => reconnect('update-secret refused'),
      );
    });
  }
}
