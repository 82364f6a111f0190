import type * as http from 'node:http';
import type { JwtManager } from '@databus/auth';
import { ConfigurationError, LoadedTls, parseBrokerUrl, UnsupportedFeatureError } from '@databus/common';
import { PromiseMemo } from '@databus/common/internal';
import { createHttpAgent } from '../http/http-request';
import { BaseTransport, Closable } from '../transport/base-transport';
import { TransportCapabilities } from '../transport/transport-capabilities';
import { IncomingRecord, OutgoingRecord, ProduceResult } from '../transport/transport-record.interface';
import {
  StreamingTransport,
  SubscriptionSpec,
  TransportContext,
  TransportSubscription,
} from '../transport/transport.interface';
import { loadTransportFactory } from '../transports/registry';
import { NATS_CAPABILITIES } from '../transports/nats/nats-capabilities';
import { AccountServerConfig, fetchAccountServerConfig } from './account-server-config';
import { ResolvedAccountServerOptions } from './account-server.options';
import { durableNameForCn } from './durable-name';
import { MasUserJwt } from './mas-credentials';

/**
 * The nats transport's capabilities, without request/response (a dataset's user may publish nowhere else)
 * and without dataset patterns (each dataset has its own user JWT: there is no user that may list them all).
 */
const CAPABILITIES: TransportCapabilities = Object.freeze({
  ...NATS_CAPABILITIES,
  requestReply: false,
  datasetPatterns: false,
});

/**
 * The dataset client's bootstrap, as a transport over the nats transport:
 * 1. `GET {accountServer}/api/v1/config` → the API gateway, MAS and NATS URLs;
 * 2. the gateway JWT with the client certificate (raw body), kept by a `JwtManager` (refreshed 5 minutes
 *    before `exp`, one request for every caller);
 * 3. per dataset, a NATS connection that presents the user JWT from `{mas_url}/api/v1/user/jwt/{dataset}`,
 *    fetched again whenever the connection drops, named `<CN> (<dataset>)`.
 * Datasets are lower-cased into subjects; a subscription without a group uses the durable of the
 * certificate's CN (one per user per stream, resuming where it left off).
 */
export class AccountServerTransport extends BaseTransport<Closable, 'nats'> implements StreamingTransport {
  private readonly agent: http.Agent;
  private readonly perDataset = new PromiseMemo<string, StreamingTransport>();
  private config?: AccountServerConfig;
  private gateway?: JwtManager;
  private cn = 'databus';

  constructor(
    context: TransportContext,
    private readonly options: ResolvedAccountServerOptions,
  ) {
    super('nats', CAPABILITIES, context);
    this.agent = createHttpAgent(options.configUrl.startsWith('https:'), caOnly(context.tls), '');
  }

  /** Reads the account server's config and obtains the gateway JWT (a refused certificate fails here). */
  async connect(): Promise<void> {
    this.reopen();
    this.statusEmitter.set({ type: 'connecting' });
    this.config = await fetchAccountServerConfig(
      this.agent,
      this.options.configUrl,
      this.options.requestTimeoutMs,
    );
    const { JwtManager: Manager } = await loadAuth();
    const { insecure: _insecure, ...tls } = this.options.tls;
    this.gateway = Manager.create({
      name: 'account-server gateway',
      strategy: 'mtls',
      tokenUrl: this.config.apiGatewayUrl,
      tls,
      requestTimeoutMs: this.options.requestTimeoutMs,
      refresh: { windowMs: 300_000 },
      logger: this.context.logger,
    });
    await this.gateway.start();
    const token = this.gateway.current();
    const cn = token?.claims.CN ?? token?.claims.cn ?? token?.subject;
    if (typeof cn === 'string' && cn !== '') this.cn = cn;
    this.statusEmitter.set({ type: 'connected' });
  }

  async produce(dataset: string, records: readonly OutgoingRecord[]): Promise<ProduceResult[]> {
    return (await this.transportFor(dataset)).produce(dataset.toLowerCase(), records);
  }

  async subscribe(spec: SubscriptionSpec): Promise<TransportSubscription> {
    const inner = await this.transportFor(spec.dataset);
    const sub = await inner.subscribe({
      ...spec,
      dataset: spec.dataset.toLowerCase(),
      group: spec.group ?? durableNameForCn(this.cn),
    });
    return renamed(sub, spec.dataset);
  }

  async request(dataset: string): Promise<IncomingRecord> {
    throw new UnsupportedFeatureError('nats (account server)', 'request/response', `request("${dataset}")`);
  }

  async reply(replyTo: string): Promise<void> {
    throw new UnsupportedFeatureError('nats (account server)', 'request/response', `reply to "${replyTo}"`);
  }

  /** Closes every dataset's nats transport (they hold the subscriptions), the gateway JWT and the sockets. */
  protected async shutdown(): Promise<void> {
    const transports = await Promise.allSettled(this.perDataset.values());
    this.perDataset.clear();
    await Promise.allSettled(
      transports.map((t) => (t.status === 'fulfilled' ? t.value.close() : Promise.resolve())),
    );
    await this.gateway?.close();
    this.agent.destroy();
  }

  /** The NATS connection of `dataset`, opened with its user JWT on first use. */
  private transportFor(dataset: string): Promise<StreamingTransport> {
    return this.perDataset.get(dataset.toLowerCase(), () => this.open(dataset));
  }

  private async open(dataset: string): Promise<StreamingTransport> {
    const { config, gateway } = this;
    if (!config || !gateway)
      throw new ConfigurationError('StreamingModule.accountServer', 'a connected bootstrap');
    const mas = new MasUserJwt(
      this.agent,
      config.masUrl,
      dataset,
      gateway,
      this.options.requestTimeoutMs,
      this.context.logger,
    );
    await mas.get();
    const url = parseBrokerUrl(config.natsUrl, 'account server nats_url');
    const secure = url.scheme === 'tls';
    const factory = await loadTransportFactory('nats');
    const inner = factory({
      ...this.context,
      url,
      secure,
      tls: secure ? caOnly(this.context.tls) : undefined,
      credentials: mas,
      clientId: `${this.cn} (${dataset})`,
    });
    inner.onStatus((status) => {
      // The dataset client fetches the user JWT on every connect: have a fresh one for the reconnect.
      if (status.type === 'disconnected' || status.type === 'reconnecting') mas.refetch();
      this.statusEmitter.set(status);
    });
    try {
      await inner.connect();
    } catch (error) {
      await inner.close().catch(() => undefined);
      throw error;
    }
    return inner;
  }
}

/** The server-verification part of the module's TLS material: NATS and the MAS get no client certificate. */
function caOnly(tls: LoadedTls | undefined): LoadedTls | undefined {
  if (!tls) return undefined;
  return { ca: tls.ca, servername: tls.servername, rejectUnauthorized: tls.rejectUnauthorized };
}

/** A subscription whose records carry the dataset name the application asked for. */
function renamed(sub: TransportSubscription, dataset: string): TransportSubscription {
  return {
    fetch: async (max, maxWaitMs, signal) => {
      const records = await sub.fetch(max, maxWaitMs, signal);
      for (const record of records) record.dataset = dataset;
      return records;
    },
    ack: (records) => sub.ack(records),
    nack: (record, delayMs) => sub.nack(record, delayMs),
    seek: (offset) => sub.seek(offset),
    close: () => sub.close(),
  };
}

async function loadAuth(): Promise<typeof import('@databus/auth')> {
  try {
    return await import('@databus/auth');
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND')
      throw new ConfigurationError(
        'StreamingModule.accountServer',
        '@databus/auth to be installed (it obtains and refreshes the gateway JWT)',
        { cause: error },
      );
    throw error;
  }
}

/** Builds the account-server bootstrap transport for resolved options. */
export const accountServerTransportFactory =
  (options: ResolvedAccountServerOptions) =>
  (context: TransportContext): StreamingTransport =>
    new AccountServerTransport(context, options);
