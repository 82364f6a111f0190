import { Logger, LoggerService, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { isRetriable, redactUrl, TemporaryError } from '@databus/common';
import { connectWithin, describeBrokerUrl, EventHub, tracingAvailable } from '@databus/common/internal';
import { DatasetPatternMatcher } from '../transport/dataset-pattern';
import { assertDatasetPatternsSupported, assertOffsetSupported } from '../transport/transport-capabilities';
import {
  StreamingTransport,
  SubscriptionSpec,
  TransportContext,
  TransportLogger,
} from '../transport/transport.interface';
import { loadTransportFactory } from '../transports/registry';
import { ResolvedStreamingOptions } from '../options/resolve-streaming-options';
import { RecordSource, RecordStream } from '../runtime/record-source';
import { describeOffset, Offset } from '../offset/offset';
import { openListedPatternSource } from './pattern-source';
import type { StreamingEvent } from './streaming-events';
import { TransportStatus } from '../transport/transport-status';

/** Anything the connection must stop before it closes the transport. */
export interface Closeable {
  close(): Promise<void>;
}

/**
 * One broker connection of a `StreamingModule`: builds the transport from the resolved options, connects
 * on module init (retrying temporary failures within `connectTimeoutMs`), tracks every subscription opened
 * through it and closes them, then the transport, on shutdown.
 */
export class StreamingConnection implements OnModuleInit, OnApplicationShutdown {
  readonly logger: TransportLogger;
  /** Connection, subscription and failure events (see `StreamingEvent`). */
  readonly events = new EventHub<StreamingEvent>();
  /** Name used in events and metrics: the module's `name`, or `default`. */
  readonly label: string;
  private transportValue?: StreamingTransport;
  private readonly closeables = new Set<Closeable>();
  private closing?: Promise<void>;
  /** Set once a connection was made: only then is a disconnect worth a log line. */
  private everConnected = false;

  constructor(
    readonly options: ResolvedStreamingOptions,
    readonly name: string | undefined,
    logger: LoggerService | false | undefined,
  ) {
    this.logger = toTransportLogger(logger, name ? `Streaming:${name}` : 'Streaming');
    this.label = name ?? 'default';
  }

  get transport(): StreamingTransport {
    if (!this.transportValue)
      throw new TemporaryError('The streaming connection is not open yet (it opens on module init).');
    return this.transportValue;
  }

  /** The transport once module init built it, else `undefined` (never throws). */
  get transportIfOpen(): StreamingTransport | undefined {
    return this.transportValue;
  }

  async onModuleInit(): Promise<void> {
    // Load the optional tracing API now, not on the first produce or message (its load is a ~16 ms stall).
    if (this.options.tracing) tracingAvailable();
    const factory =
      this.options.customTransport ??
      (await loadTransportFactory(
        this.options.transportName as Exclude<ResolvedStreamingOptions['transportName'], 'custom'>,
      ));
    const context: TransportContext = {
      url: this.options.url,
      secure: this.options.secure,
      tls: this.options.tls,
      credentials: this.options.credentials,
      clientId: this.options.clientId,
      transportOptions: this.options.transportOptions,
      reconnect: this.options.reconnect,
      produceTimeoutMs: this.options.produceTimeoutMs,
      connectTimeoutMs: this.options.connectTimeoutMs,
      logger: this.logger,
    };
    const transport = factory(context);
    this.transportValue = transport;
    transport.onStatus((status) => this.onStatus(status));
    await this.connectWithin(transport);
    this.logger.log(`Connected to ${redactUrl(this.options.rawUrl)} (${transport.name})`);
  }

  /** Opens a supervised subscription after checking the transport supports its start position. */
  async openSource(
    spec: SubscriptionSpec,
    where: string,
    retryOnFail = this.options.retryOnFail,
  ): Promise<RecordSource> {
    assertOffsetSupported(this.transport.name, this.transport.capabilities, spec.start, where);
    const source = new RecordSource(this.transport, spec, {
      retryOnFail,
      reconnect: this.options.reconnect,
      logger: this.logger,
      onRecover: (attempt, delayMs, error) => {
        this.options.metrics.increment('databus_reconnects_total', {
          lib: 'streaming',
          connection: this.label,
        });
        this.events.emit({
          type: 'resubscribing',
          connection: this.label,
          dataset: spec.dataset,
          group: spec.group,
          attempt,
          delayMs,
          error,
        });
      },
    });
    await source.open();
    this.events.emit({
      type: 'subscribed',
      connection: this.label,
      dataset: spec.dataset,
      group: spec.group,
    });
    this.logger.debug(`Subscribed to "${spec.dataset}"${describeStart(spec, source.resumedAt)}`);
    return source;
  }

  /**
   * Opens the subscription of a dataset pattern. `UnsupportedFeatureError` on a transport without
   * `capabilities.datasetPatterns`. A `'native'` transport gets one subscription with the pattern as its
   * filter; on a `'listed'` one, one supervised source per matching dataset is merged into one stream, and
   * datasets created later join it (see `openListedPatternSource`). A pattern matching nothing yet waits.
   */
  async openPatternSource(
    spec: SubscriptionSpec,
    pattern: DatasetPatternMatcher,
    where: string,
    retryOnFail = this.options.retryOnFail,
  ): Promise<RecordStream> {
    const transport = this.transport;
    assertDatasetPatternsSupported(transport.name, transport.capabilities, where);
    assertOffsetSupported(transport.name, transport.capabilities, spec.start, where);
    if (transport.capabilities.datasetPatterns === 'native') {
      const source = await this.openSource({ ...spec, dataset: pattern.text, pattern }, where, retryOnFail);
      this.logger.log(
        `Pattern "${pattern.text}": one ${transport.name} subscription with the pattern as its filter (datasets created later arrive at once)`,
      );
      return source;
    }
    return openListedPatternSource(
      {
        transport,
        logger: this.logger,
        refreshMs: this.options.patternRefreshMs,
        openDataset: (datasetSpec) => this.openSource(datasetSpec, where, retryOnFail),
      },
      spec,
      pattern,
    );
  }

  /** Registers something to close before the transport; returns a function that unregisters it. */
  track(closeable: Closeable): () => void {
    this.closeables.add(closeable);
    return () => this.closeables.delete(closeable);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Closes every tracked subscription, then the transport. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.closeables].map((c) => c.close()));
      this.closeables.clear();
      await this.transportValue?.close();
    })();
    return this.closing;
  }

  private onStatus(status: TransportStatus): void {
    const connection = this.label;
    switch (status.type) {
      case 'connected':
        this.everConnected = true;
        this.events.emit({ type: 'connected', connection });
        return;
      case 'disconnected':
        // A connection never made is reported once per bootstrap attempt by connectWithin, not here.
        if (this.everConnected)
          this.logger.warn(
            `Disconnected from ${redactUrl(this.options.rawUrl)}${status.error ? `: ${status.error.message}` : ''}`,
          );
        this.events.emit({ type: 'disconnected', connection, error: status.error });
        return;
      case 'reconnecting':
        this.options.metrics.increment('databus_reconnects_total', { lib: 'streaming', connection });
        this.events.emit({
          type: 'reconnecting',
          connection,
          attempt: status.attempt,
          delayMs: status.delayMs,
          error: status.error,
        });
        return;
      case 'closed':
        this.events.emit({ type: 'closed', connection });
        return;
      case 'failed':
        this.logger.error(`Connection failed for good: ${status.error.message}`);
        this.events.emit({ type: 'disconnected', connection, error: status.error });
        return;
    }
  }

  /**
   * The first connect: permanent failures fail at once, transient ones are retried with backoff (one WARN
   * line per attempt) within `connectTimeoutMs`, then fail with a `TemporaryError` naming it. With
   * `retryOnFail: false` the first failure is final. A failed bootstrap closes the transport.
   */
  private async connectWithin(transport: StreamingTransport): Promise<void> {
    try {
      await connectWithin(() => transport.connect(), {
        connectTimeoutMs: this.options.connectTimeoutMs,
        where: describeBrokerUrl(this.options.url),
        backoff: this.options.reconnect,
        logger: this.logger,
        classify: (error) => (this.options.retryOnFail && isRetriable(error) ? 'transient' : 'permanent'),
      });
    } catch (error) {
      await transport.close().catch(() => undefined);
      throw error;
    }
  }
}

/** Adapts a Nest logger (or `false` for silence) to the transports' logger. */
export function toTransportLogger(
  logger: LoggerService | false | undefined,
  context: string,
): TransportLogger {
  if (logger === false)
    return { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  const target = logger ?? new Logger(context);
  const ctx = logger ? context : undefined;
  return {
    log: (m) => (ctx ? target.log(m, ctx) : target.log(m)),
    warn: (m) => (ctx ? target.warn(m, ctx) : target.warn(m)),
    error: (m) => (ctx ? target.error(m, undefined, ctx) : target.error(m)),
    debug: (m) => (ctx ? target.debug?.(m, ctx) : target.debug?.(m)),
  };
}

/**
 * Where a new subscription starts, for the log: a private one `from <offset>`; a group that resumed
 * `resuming group "g" at sequence N`; a group the transport cannot tell about says that `offset` applies only
 * when the group is new.
 */
export function describeStart(spec: { group?: string; start: Offset }, resumedAt?: number): string {
  if (spec.group === undefined) return ` from ${describeOffset(spec.start)}`;
  if (resumedAt !== undefined) return `: resuming group "${spec.group}" at sequence ${resumedAt}`;
  return ` as group "${spec.group}" (from its committed position; ${describeOffset(spec.start)} if the group is new)`;
}
