import { redactText, TemporaryError } from '@databus/common';
import { describeBrokerUrl, readBrokerCredentials } from '@databus/common/internal';
import { jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from './nats-client';
import { BaseTransport } from '../../transport/base-transport';
import { IncomingRecord, OutgoingRecord, ProduceResult } from '../../transport/transport-record.interface';
import {
  StreamingTransport,
  SubscriptionSpec,
  TransportContext,
  TransportSubscription,
} from '../../transport/transport.interface';
import { natsConnectOptions } from './nats-connect-options';
import { mapNatsError } from './nats-error.mapper';
import { NatsOutgoing, NatsPublisher } from './nats-publisher';
import { NatsRequests } from './nats-requests';
import { assertReplicasFit } from './nats-replicas';
import { NatsStreams } from './nats-streams';
import { toNatsHeaders } from './nats-wire';
import { resolveNatsOptions, ResolvedNatsOptions } from './nats.options';
import { NatsSubscription } from './nats.subscription';
import type { DatasetPatternMatcher } from '../../transport/dataset-pattern';
import { NATS_CAPABILITIES } from './nats-capabilities';

/**
 * The NATS JetStream transport (`nats://host:4222[,host2:4222]`, `tls://…`): a dataset is a stream, a
 * group is a durable pull consumer, a private subscription an ephemeral one. See libs/streaming/docs/nats.md.
 */
export class NatsTransport extends BaseTransport<NatsSubscription, 'nats'> implements StreamingTransport {
  private readonly options: ResolvedNatsOptions;
  private readonly streams: NatsStreams;
  private readonly publisher: NatsPublisher;
  private readonly requests: NatsRequests;
  private readonly reconnectAttempt = { count: 0, delayMs: 0 };
  private nc?: NatsConnection;
  private jsm?: JetStreamManager;
  private js?: JetStreamClient;
  private offRefresh?: () => void;

  constructor(context: TransportContext) {
    super('nats', NATS_CAPABILITIES, context);
    this.options = resolveNatsOptions(context.transportOptions);
    this.streams = new NatsStreams(() => this.manager(), this.options);
    this.publisher = new NatsPublisher(() => this.client(), this.streams, {
      produceTimeoutMs: context.produceTimeoutMs,
      apiTimeoutMs: this.options.apiTimeoutMs,
      dedupe: this.options.dedupe,
      reconnect: context.reconnect,
      isClosed: () => this.closed,
      logger: context.logger,
      whenConnected: (deadline) => this.whenConnected(deadline),
      connected: () => !this.closed && this.statusEmitter.status.type === 'connected',
    });
    this.requests = new NatsRequests(
      () => this.connection(),
      (dataset, message) => this.publisher.publish(dataset, [message]),
    );
  }

  /** The node this transport is connected to (its `server_name` and cluster), undefined while disconnected. */
  get server(): { name: string; cluster?: string } | undefined {
    const info = this.statusEmitter.status.type === 'connected' ? this.nc?.info : undefined;
    return info ? { name: info.server_name, cluster: info.cluster } : undefined;
  }

  async connect(): Promise<void> {
    if (this.nc && !this.nc.isClosed()) return;
    this.reopen();
    this.statusEmitter.set({ type: 'connecting' });
    await readBrokerCredentials(this.context.credentials, describeBrokerUrl(this.context.url));
    const { nc, jsm } = await this.open();
    this.nc = nc;
    this.jsm = jsm;
    this.js = jsm.jetstream();
    this.reconnectAttempt.count = 0;
    // Another identity (JWT `sub`) must not wait for the next disconnect: reconnect with it now.
    this.offRefresh = this.context.credentials?.onRefresh((_credentials, info) => {
      if (info.principalChanged) void nc.reconnect().catch(() => undefined);
    });
    void this.watchStatus(nc);
    this.statusEmitter.set({ type: 'connected' });
  }

  /** Connects and checks JetStream; a failure closes what was opened and is mapped. */
  private async open(): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
    let nc: NatsConnection | undefined;
    try {
      nc = await connect(natsConnectOptions(this.context, this.options, this.reconnectAttempt));
      assertReplicasFit(this.options, nc.info, this.context.url.hosts.length);
      return { nc, jsm: await jetstreamManager(nc, { timeout: this.options.apiTimeoutMs }) };
    } catch (error) {
      await nc?.close().catch(() => undefined);
      const mapped = mapNatsError(error, 'connect');
      this.statusEmitter.set({ type: 'disconnected', error: mapped });
      throw mapped;
    }
  }

  async produce(dataset: string, records: readonly OutgoingRecord[]): Promise<ProduceResult[]> {
    this.assertOpen('produce');
    const messages: NatsOutgoing[] = records.map((r) => ({ data: r.data, headers: toNatsHeaders(r) }));
    const acks = await this.publisher.publish(dataset, messages);
    return acks.map((ack) => ({ sequence: ack.seq }));
  }

  async subscribe(spec: SubscriptionSpec): Promise<TransportSubscription> {
    this.assertOpen('subscribe');
    try {
      const at = await this.streams.locate(spec.dataset);
      const name = await this.streams.openConsumer(spec, at);
      const sub = new NatsSubscription(
        {
          js: this.client(),
          streams: this.streams,
          options: this.options,
          logger: this.context.logger,
          connected: () => this.statusEmitter.status.type === 'connected',
          onClose: (s) => this.subscriptions.delete(s),
        },
        spec,
        at,
        name,
      );
      await sub.start();
      this.subscriptions.add(sub);
      return sub;
    } catch (error) {
      // The stream may have been deleted since it was located: look it up again on the next attempt.
      this.streams.forget(spec.dataset);
      throw error;
    }
  }

  /** The datasets a pattern matches: the JetStream subjects under it (see `NatsStreams.datasetsMatching`). */
  async listDatasets(pattern: DatasetPatternMatcher): Promise<string[]> {
    this.assertOpen('subscribe');
    return this.streams.datasetsMatching(pattern);
  }

  async request(dataset: string, record: OutgoingRecord, timeoutMs: number): Promise<IncomingRecord> {
    this.assertOpen('request');
    return this.requests.request(dataset, record, timeoutMs);
  }

  async reply(replyTo: string, correlationId: string | undefined, record: OutgoingRecord): Promise<void> {
    this.assertOpen('reply');
    return this.requests.reply(replyTo, correlationId, record);
  }

  protected async shutdown(): Promise<void> {
    await this.closeSubscriptions();
    this.requests.close();
    const nc = this.nc;
    this.nc = undefined;
    this.js = undefined;
    this.jsm = undefined;
    this.offRefresh?.();
    this.offRefresh = undefined;
    if (nc && !nc.isClosed()) {
      // Drain flushes acknowledgements; while disconnected there is nothing to flush and it could wait.
      const connected = this.statusEmitter.status.type === 'connected';
      const timer = setTimeout(() => void nc.close().catch(() => undefined), this.options.apiTimeoutMs);
      timer.unref();
      await (connected ? nc.drain() : nc.close()).catch(() => nc.close()).catch(() => undefined);
      await nc.closed();
      clearTimeout(timer);
    }
  }

  /** Forwards the connection's status events to `onStatus` listeners until it closes. */
  private async watchStatus(nc: NatsConnection): Promise<void> {
    const log = this.context.logger;
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
          this.statusEmitter.set({ type: 'disconnected' });
          break;
        case 'reconnecting':
          this.statusEmitter.set({
            type: 'reconnecting',
            attempt: Math.max(1, this.reconnectAttempt.count),
            delayMs: this.reconnectAttempt.delayMs,
          });
          break;
        case 'reconnect':
          this.reconnectAttempt.count = 0;
          this.statusEmitter.set({ type: 'connected' });
          break;
        case 'error':
          log.warn(`nats: ${redactText(s.error?.message ?? String(s.error))}`);
          break;
        case 'ldm':
          log.warn(`nats: server ${s.server} entered lame duck mode; moving to another server`);
          break;
        case 'staleConnection':
          log.warn('nats: connection stale (missed pongs); reconnecting');
          break;
        default:
          break;
      }
    }
  }

  /** Resolves when the connection is up, the transport closed, or `deadline` passed. */
  private whenConnected(deadline: number): Promise<void> {
    if (this.closed || this.statusEmitter.status.type === 'connected') return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      timer.unref();
      const off = this.statusEmitter.on((s) => {
        if (s.type === 'connected' || s.type === 'closed') done();
      });
    });
  }

  private connection(): NatsConnection {
    if (!this.nc) throw new TemporaryError('The nats transport is not connected.');
    return this.nc;
  }

  private client(): JetStreamClient {
    if (!this.js) throw new TemporaryError('The nats transport is not connected.');
    return this.js;
  }

  private manager(): JetStreamManager {
    if (!this.jsm) throw new TemporaryError('The nats transport is not connected.');
    return this.jsm;
  }
}

/** Builds the NATS JetStream transport. */
export const natsTransportFactory = (context: TransportContext): NatsTransport => new NatsTransport(context);
