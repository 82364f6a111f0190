import { connect, IClientOptions, IConnackPacket, MqttClient } from 'mqtt';
import { backoffDelay, BrokerCredentials, redactText, redactUrl, TemporaryError } from '@databus/common';
import { readBrokerCredentials, tlsSocketOptions } from '@databus/common/internal';
import { TransportContext } from '../../transport/transport.interface';
import { TransportStatus } from '../../transport/transport-status';
import { mapMqttError } from './mqtt-error.mapper';
import { ResolvedMqttOptions } from './mqtt.options';

/** MQTT 5 Session Expiry Interval maximum (0xFFFFFFFF means "never expires"). */
export const MAX_SESSION_EXPIRY_SECONDS = 0xffffffff;

/** What one connection is for. */
export interface MqttConnectionSpec {
  /** MQTT client id; a durable session is found again by it. */
  clientId: string;
  /** Clean Start: false resumes the session stored under `clientId`. */
  clean: boolean;
  /** Session Expiry Interval in seconds (0: the session ends with the connection). */
  sessionExpirySeconds: number;
  /** Keep Alive of this connection, overriding `transportOptions.keepaliveSeconds` (a channel's `sessionTimeoutMs`). */
  keepaliveSeconds?: number;
  /** Receive Maximum: most unacknowledged QoS 1 deliveries the broker may send us. */
  receiveMaximum?: number;
  /** For logs: `producer`, `subscription "readings" (group "store")`. */
  label: string;
  /** Let mqtt.js re-send SUBSCRIBE after reconnecting without a session. @default true */
  resubscribe?: boolean;
}

/**
 * mqtt.js calls its `debug` log about twenty times per QoS 1 publish, each call building an argument array
 * even when the log is off: while `DEBUG` does not enable `mqttjs:client` (read when the client is created),
 * the client logs to a no-op instead.
 */
export function quietUnlessDebugging(client: MqttClient): void {
  // A `debug` logger's `enabled` reads undefined, not false, while `DEBUG` is not set at all.
  const log = client.log as { enabled?: boolean };
  if ('enabled' in log && !log.enabled) client.log = noLog;
}

const noLog = (): void => undefined;

/** Callbacks of a connection's life. */
export interface MqttConnectionHooks {
  onStatus?: (status: TransportStatus) => void;
  /** Every CONNACK (first connect and reconnects). */
  onConnect?: (connack: IConnackPacket) => void;
  /** The socket closed while the connection is meant to be open (mqtt.js reconnects). */
  onDisconnect?: () => void;
}

/**
 * One mqtt.js client with the suite's connection policy: every host of the URL, TLS from the context,
 * credentials read before every (re)connect (a refreshed token triggers a planned reconnect), reconnect
 * delays from the context's backoff, and `reconnectOnConnackError` so a refused token is retried with the next
 * one. `open()` builds a fresh client each time it is called.
 */
export class MqttConnection {
  private clientValue?: MqttClient;
  private attempt = 0;
  private closed = false;
  private offRefresh?: () => void;
  private planning?: Promise<void>;
  /** Increases with every CONNACK; deliveries of an older generation must not be acknowledged. */
  generation = 0;
  /** Hooks run before a planned reconnect (e.g. wait for in-flight publishes). */
  beforePlannedReconnect?: () => Promise<void>;

  private readonly onStatus: (status: TransportStatus) => void;
  private readonly onConnect: (connack: IConnackPacket) => void;
  private readonly onDisconnect: () => void;

  constructor(
    private readonly context: TransportContext,
    private readonly options: ResolvedMqttOptions,
    readonly spec: MqttConnectionSpec,
    hooks: MqttConnectionHooks = {},
  ) {
    this.onStatus = hooks.onStatus ?? (() => undefined);
    this.onConnect = hooks.onConnect ?? (() => undefined);
    this.onDisconnect = hooks.onDisconnect ?? (() => undefined);
  }

  get client(): MqttClient {
    if (!this.clientValue) throw new TemporaryError(`The MQTT ${this.spec.label} connection is not open.`);
    return this.clientValue;
  }

  get hasClient(): boolean {
    return this.clientValue !== undefined;
  }

  /** Connected and not about to reconnect on purpose: publishing may start. */
  get ready(): boolean {
    return this.clientValue?.connected === true && !this.planning;
  }

  get connected(): boolean {
    return this.clientValue?.connected === true;
  }

  /** A redacted description of where this connects, for messages. */
  get where(): string {
    return `${this.spec.label} on ${this.address}`;
  }

  /** The redacted address this connects to (`mqtts://host:port`). */
  get address(): string {
    return redactUrl(this.context.url.scheme + '://' + this.hostList());
  }

  /**
   * Connects; `setup` runs on the new client before the CONNECT is sent (so deliveries of a resumed session
   * find their handler). Rejects with a mapped error (TemporaryError, AuthenticationError, PermanentError).
   */
  async open(setup: (client: MqttClient) => void = () => undefined): Promise<IConnackPacket> {
    this.closed = false;
    const credentials = await readBrokerCredentials(this.context.credentials, this.where);
    const client = connect(this.clientOptions(credentials));
    quietUnlessDebugging(client);
    this.clientValue = client;
    try {
      setup(client);
      this.listen(client);
      const connack = await this.firstConnack(client, this.handshakeWatch(client));
      if (this.closed || this.clientValue !== client)
        throw new TemporaryError(`The MQTT ${this.spec.label} connection was closed while connecting.`);
      this.watchRefresh();
      return connack;
    } catch (error) {
      this.clientValue = undefined;
      client.end(true);
      throw error;
    }
  }

  /** Resolves once connected; rejects with TemporaryError after `timeoutMs` or when closed. */
  whenConnected(timeoutMs: number): Promise<void> {
    const client = this.clientValue;
    if (client?.connected && !this.planning) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error): void => {
        clearTimeout(timer);
        client?.off('connect', onConnect);
        client?.off('end', onEnd);
        if (error) reject(error);
        else resolve();
      };
      const onConnect = (): void => done();
      // mqtt.js emits 'end' during a planned reconnect too: only our own close() ends the wait.
      const onEnd = (): void => {
        if (this.closed) done(new TemporaryError(`The MQTT ${this.spec.label} connection closed.`));
      };
      const timer = setTimeout(
        () => done(new TemporaryError(`Not connected to MQTT (${this.where}) within ${timeoutMs} ms.`)),
        timeoutMs,
      );
      timer.unref();
      if (!client || this.closed)
        return done(new TemporaryError(`The MQTT ${this.spec.label} connection is closed.`));
      client.on('connect', onConnect);
      client.on('end', onEnd);
    });
  }

  /**
   * Reconnects on purpose (new credentials): waits for `beforePlannedReconnect`, then lets mqtt.js send
   * DISCONNECT and CONNECT again with the password of the moment. A persistent session is resumed, so the
   * broker redelivers what was not acknowledged. Coalesces concurrent calls.
   */
  plannedReconnect(): Promise<void> {
    this.planning ??= (async () => {
      try {
        await this.beforePlannedReconnect?.();
        const client = this.clientValue;
        if (!client || this.closed || !client.connected) return;
        const reconnected = new Promise<void>((resolve) => client.once('connect', () => resolve()));
        client.reconnect();
        await reconnected;
      } finally {
        this.planning = undefined;
      }
    })();
    return this.planning;
  }

  /** Sends DISCONNECT (keeping a persistent session) and closes the socket; idempotent. */
  async close(options: { sessionExpirySeconds?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.offRefresh?.();
    const client = this.clientValue;
    this.clientValue = undefined;
    if (!client) return;
    client.options.reconnectPeriod = 0; // no reconnect timer may outlive close()
    const props =
      options.sessionExpirySeconds === undefined
        ? undefined
        : { properties: { sessionExpiryInterval: options.sessionExpirySeconds } };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => client.end(true, () => resolve()), 2000);
      timer.unref();
      client.end(false, props ?? {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    client.removeAllListeners();
    client.on('error', () => undefined); // late socket errors after close must not crash the process
  }

  private clientOptions(credentials: BrokerCredentials | undefined): IClientOptions {
    const { url, tls, secure } = this.context;
    const defaultPort = secure ? 8883 : 1883;
    const servers = url.hosts.map((h) => ({ host: h.host, port: h.port ?? defaultPort }));
    return {
      ...servers[0],
      servers,
      protocol: secure ? 'mqtts' : 'mqtt',
      protocolVersion: 5,
      clientId: this.spec.clientId,
      clean: this.spec.clean,
      keepalive: this.spec.keepaliveSeconds ?? this.options.keepaliveSeconds,
      connectTimeout: this.options.connectTimeoutMs,
      reconnectPeriod: Math.max(1, backoffDelay(1, this.context.reconnect)),
      reconnectOnConnackError: true,
      resubscribe: this.spec.resubscribe ?? true,
      queueQoSZero: false,
      // Keep-alive pings on their own schedule, every `keepalive`, rather than a timer cleared and set again on
      // every acknowledgement received (a PINGREQ per keep-alive period at most; a dead link is still found
      // within 1.5 of them).
      reschedulePings: false,
      // mqtt-packet's cache of every 2-byte number as a ready Buffer (65,536 of them, ~6.5 MB of heap and ~12 MB
      // of RSS once the first packet is written, kept for the process's life): each number is a fresh 2-byte
      // Buffer instead. mqtt.js turns the cache off for the whole process (mqtt-packet's one switch).
      writeCache: false,
      username: credentials?.username,
      password: secretOf(credentials),
      properties: {
        sessionExpiryInterval: this.spec.sessionExpirySeconds,
        ...(this.spec.receiveMaximum === undefined ? {} : { receiveMaximum: this.spec.receiveMaximum }),
      },
      ...tlsSocketOptions(secure ? tls : undefined),
    };
  }

  /** For a TLS connect: a function telling whether the first TLS handshake is still pending. */
  private handshakeWatch(client: MqttClient): () => boolean {
    if (!this.context.secure) return () => false;
    let pending = true;
    client.stream?.once('secureConnect', () => (pending = false));
    return () => pending;
  }

  private firstConnack(client: MqttClient, handshakePending: () => boolean): Promise<IConnackPacket> {
    return new Promise<IConnackPacket>((resolve, reject) => {
      const done = (error?: Error, connack?: IConnackPacket): void => {
        clearTimeout(timer);
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
        if (error) reject(error);
        else resolve(connack as IConnackPacket);
      };
      const onConnect = (connack: IConnackPacket): void => done(undefined, connack);
      // mqtt.js takes the URL's hosts in turn (its `servers`), one per (re)connect: a host that closes
      // before CONNACK hands over to the next one; the attempt fails once every host has closed.
      const hosts = this.context.url.hosts.length;
      let closes = 0;
      let lastError: Error | undefined;
      const onError = (error: Error): void => {
        lastError = error;
        const mapped = mapMqttError(error, `connect ${this.where}`, this.address, handshakePending());
        if (!mapped.retriable) done(mapped);
      };
      const onClose = (): void => {
        if (++closes < hosts) {
          const failed = this.context.url.hosts[(closes - 1) % hosts];
          this.context.logger.debug(
            `MQTT ${this.spec.label}: ${failed.host}:${failed.port ?? 'default port'} closed before CONNACK (${redactText(lastError?.message ?? 'no error')}); trying the next host`,
          );
          return;
        }
        done(
          mapMqttError(
            lastError ?? new Error('connection closed before CONNACK'),
            `connect ${this.where}`,
            this.address,
            handshakePending(),
          ),
        );
      };
      // Each host may take connectTimeoutMs (mqtt.js's own per-connection timeout) before the next is tried.
      const budgetMs = this.options.connectTimeoutMs * hosts;
      const timer = setTimeout(
        () => done(new TemporaryError(`connect ${this.where}: no CONNACK within ${budgetMs} ms`)),
        budgetMs,
      );
      timer.unref();
      client.on('connect', onConnect);
      client.on('error', onError);
      client.on('close', onClose);
    });
  }

  private listen(client: MqttClient): void {
    client.on('connect', (connack) => {
      this.generation++;
      this.attempt = 0;
      client.options.reconnectPeriod = Math.max(1, backoffDelay(1, this.context.reconnect));
      this.onStatus({ type: 'connected' });
      this.onConnect(connack);
    });
    client.on('reconnect', () => {
      // Runs synchronously before mqtt.js sends CONNECT: the token of the moment goes into it.
      const current = this.context.credentials?.current();
      if (current) {
        client.options.username = current.username;
        client.options.password = secretOf(current);
      }
      this.attempt++;
      const delayMs = Math.max(1, backoffDelay(this.attempt + 1, this.context.reconnect));
      client.options.reconnectPeriod = delayMs;
      this.onStatus({ type: 'reconnecting', attempt: this.attempt, delayMs });
    });
    client.on('close', () => {
      if (this.closed) return;
      this.onStatus({ type: 'disconnected' });
      this.onDisconnect();
    });
    client.on('error', (error) => {
      if (this.closed) return;
      const mapped = mapMqttError(error, this.where);
      const line = `MQTT ${this.spec.label}: ${redactText(mapped.message)}`;
      // Before the first CONNACK the bootstrap loop reports each failed attempt (one line per attempt).
      if (this.generation === 0) this.context.logger.debug(line);
      else this.context.logger.warn(line);
    });
  }

  private watchRefresh(): void {
    const provider = this.context.credentials;
    if (!provider || this.offRefresh) return;
    this.offRefresh = provider.onRefresh((credentials) => {
      const client = this.clientValue;
      if (!client || this.closed) return;
      client.options.username = credentials.username;
      client.options.password = secretOf(credentials);
      this.context.logger.debug(`MQTT ${this.spec.label}: credentials refreshed; reconnecting with them`);
      this.plannedReconnect().catch((error) =>
        this.context.logger.warn(
          `MQTT ${this.spec.label}: planned reconnect failed: ${(error as Error).message}`,
        ),
      );
    });
  }

  private hostList(): string {
    return this.context.url.hosts.map((h) => (h.port ? `${h.host}:${h.port}` : h.host)).join(',');
  }
}

/** The secret MQTT sends as its password: a password, else a token. */
function secretOf(credentials: BrokerCredentials | undefined): string | undefined {
  return credentials?.password ?? credentials?.token;
}
