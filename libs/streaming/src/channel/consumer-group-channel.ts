import { assertDuration, assertNonEmptyString, ConfigurationError, sleep } from '@databus/common';
import { SubscriptionClosedError } from '../errors';
import { AmqpDatasetOptions, resolveAmqpDataset, ResolvedAmqpDataset } from '../transport/amqp-dataset';
import { DatasetMessage, MessageSettler } from '../message/dataset-message';
import { Offset, OffsetInput, toOffset } from '../offset/offset';
import { RecordStream } from '../runtime/record-source';
import { DEFAULT_PULL_MAX_WAIT_MS } from '../streaming.constants';
import { StreamingConnection } from '../connection/streaming-connection';
import { ProduceOptions, ProduceRecord } from '../options/streaming-options.interface';
import { assertChannelSettingsSupported } from '../transport/transport-capabilities';
import { IncomingRecord, ProduceResult } from '../transport/transport-record.interface';
import { StreamingTransport } from '../transport/transport.interface';
import { assertDatasetName } from '../transport/dataset-name';
import {
  DatasetPattern,
  DatasetPatternMatcher,
  isDatasetPattern,
  parseDatasetPattern,
} from '../transport/dataset-pattern';

/** What a channel produces through: `ChannelService.produce` (structural, so this file needs no import of it). */
export interface ChannelProducer {
  produce(dataset: string, value: unknown, options?: ProduceOptions): Promise<ProduceResult>;
  produce(records: readonly ProduceRecord[]): Promise<ProduceResult[]>;
}

/** The datasets of a channel: a name, a pattern, or a list of them. @publicApi */
export type ChannelDatasets = string | DatasetPattern | ReadonlyArray<string | DatasetPattern>;

/** One subscribed entry: a dataset or a parsed pattern, keyed by its name or pattern text. */
interface ChannelEntry {
  key: string;
  pattern?: DatasetPatternMatcher;
}

/** Options of `ChannelService.open`. @publicApi */
export interface OpenChannelOptions {
  /** The consumer group this channel consumes as. */
  group: string;
  /**
   * Datasets to subscribe to at once (more can be given to `subscribe` or `run`). An entry may be a pattern,
   * `{ pattern: 'sensors.*.temp' }`, on transports declaring `capabilities.datasetPatterns`: the channel
   * consumes every matching dataset, those created later too (see `ChannelService.subscribe`).
   */
  datasets?: ChannelDatasets;
  /** Where a group with no committed position starts: `latest` (default), `earliest`, `none`, an `Offset`, a sequence number or a `Date`. */
  offset?: OffsetInput;
  /** Messages per `consume()` call, per dataset. @default 100 */
  batch?: number;
  /** Most consumed-but-uncommitted messages per dataset; `consume()` returns nothing more until `commit()`. @default 10 × batch */
  prefetch?: number;
  /** How long `consume()` waits for messages. @default 10_000 */
  maxWaitMs?: number;
  /**
   * Request timeout of the group's consumer calls, on transports that have one (Kafka, REST); must exceed
   * `sessionTimeoutMs`. Elsewhere `open()` refuses it with `UnsupportedFeatureError` (see
   * `capabilities.channelSettings` and the README's "Channel options per transport").
   */
  requestTimeoutMs?: number;
  /**
   * How long a silent member keeps its messages before the group gets them, on transports that detect dead
   * consumers (Kafka and REST: session timeout; NATS: the group consumer's `ack_wait`; MQTT: the member
   * connection's keep-alive, 1.5 × keep-alive ≈ this). Elsewhere refused with `UnsupportedFeatureError`.
   */
  sessionTimeoutMs?: number;
  /** Retry temporary errors; `false` surfaces them as `TemporaryError` / `ConsumerError`. @default the module's `retryOnFail` */
  retryOnFail?: boolean;
  /**
   * Extra consumer settings: Kafka accepts its consumer settings (`heartbeatIntervalMs`, `maxBytes`, …, the
   * kafkajs spellings too), the REST streaming service gets every key as is (the seed channel's
   * `extra_configs`); other transports accept none. A key the transport does not accept is refused by
   * `open()` with `UnsupportedFeatureError`, never ignored. Named options above take precedence.
   */
  extraConfigs?: Record<string, unknown>;
  /** amqp transport: keep the datasets as a plain queue or fanout exchange instead of streams (pika interop). */
  amqp?: AmqpDatasetOptions;
}

/** Options of `run`. @publicApi */
export interface RunOptions {
  /** Pause after a `consume()` that returned nothing. @default 30_000 */
  waitBetweenQueriesMs?: number;
  /** Subscribe to these datasets (or patterns) first. */
  datasets?: ChannelDatasets;
}

/**
 * A consumer-group channel: the channel client's verbs over one consumer group.
 * `consume()` returns messages that stay uncommitted until `commit()`; `run(callback)` loops
 * consume → callback → commit while the callback returns `true`. After `destroy()` every call fails with a
 * `PermanentError`.
 * @publicApi
 */
export class ConsumerGroupChannel implements MessageSettler {
  private readonly group: string;
  private readonly offset: Offset;
  private readonly batch: number;
  private readonly maxWaitMs: number;
  private datasets: ChannelEntry[] = [];
  private readonly sources = new Map<string, RecordStream>();
  private readonly consumed = new Map<IncomingRecord, RecordStream>();
  private running?: Promise<void>;
  private stopRequested?: AbortController;
  private destroyed = false;
  private readonly untrack: () => void;
  private readonly amqp?: ResolvedAmqpDataset;

  /** @internal Built by `ChannelService.open`. */
  constructor(
    private readonly connection: StreamingConnection,
    private readonly channel: ChannelProducer,
    private readonly options: OpenChannelOptions,
  ) {
    if (!options || typeof options !== 'object')
      throw new ConfigurationError('open', '{ group, datasets?, offset? }');
    this.group = assertNonEmptyString(options.group, 'open: group');
    this.offset = toOffset(options.offset, 'open: offset');
    this.batch = options.batch ?? 100;
    this.maxWaitMs = assertDuration(options.maxWaitMs ?? DEFAULT_PULL_MAX_WAIT_MS, 'open: maxWaitMs', 0);
    if (options.requestTimeoutMs !== undefined)
      assertDuration(options.requestTimeoutMs, 'open: requestTimeoutMs', 1);
    if (options.sessionTimeoutMs !== undefined)
      assertDuration(options.sessionTimeoutMs, 'open: sessionTimeoutMs', 1);
    if (
      options.extraConfigs !== undefined &&
      (options.extraConfigs === null ||
        typeof options.extraConfigs !== 'object' ||
        Array.isArray(options.extraConfigs))
    )
      throw new ConfigurationError('open: extraConfigs', 'an object of consumer settings');
    if (
      options.requestTimeoutMs !== undefined &&
      options.sessionTimeoutMs !== undefined &&
      options.requestTimeoutMs <= options.sessionTimeoutMs
    )
      throw new ConfigurationError(
        'open: requestTimeoutMs',
        `a value greater than sessionTimeoutMs (${options.sessionTimeoutMs})`,
        { received: String(options.requestTimeoutMs) },
      );
    if (options.datasets !== undefined) this.datasets = toList(options.datasets, 'open: datasets');
    // Before anything is created: a setting the transport would not honour is refused here, not ignored.
    const transport = connection.transportIfOpen;
    if (transport) this.assertSettingsSupported(transport);
    this.amqp = resolveAmqpDataset(options.amqp, 'open: amqp');
    this.untrack = connection.track({ close: () => this.destroy() });
  }

  /** Creates the group's consumers for the subscribed datasets (done implicitly by `consume`). */
  async create(): Promise<void> {
    this.assertAlive('create');
    for (const entry of this.datasets) await this.sourceFor(entry);
  }

  /** Replaces the subscribed datasets (names or patterns, `{ pattern }`). */
  async subscribe(datasets: ChannelDatasets): Promise<void> {
    this.assertAlive('subscribe');
    const wanted = toList(datasets, 'subscribe: datasets');
    for (const [key, source] of this.sources) {
      if (wanted.some((entry) => entry.key === key)) continue;
      this.sources.delete(key);
      await source.close();
    }
    this.datasets = wanted;
  }

  /**
   * Consumes messages from every subscribed dataset: up to `batch` per dataset, waiting up to `maxWaitMs`.
   * They are committed by the next `commit()`; without one they are delivered again after `reset()` or a restart.
   */
  async consume(): Promise<DatasetMessage[]> {
    this.assertAlive('consume');
    if (this.datasets.length === 0)
      throw new SubscriptionClosedError('consume: the channel is subscribed to no dataset', 'channel');
    const perDataset = await Promise.all(
      this.datasets.map(async (entry) => {
        const source = await this.sourceFor(entry);
        const records = await source.fetch(this.batch, this.maxWaitMs, this.stopRequested?.signal);
        for (const record of records) this.consumed.set(record, source);
        return records;
      }),
    );
    return perDataset.flat().map((record) => new DatasetMessage(record, this));
  }

  /** Commits every consumed message and waits until the broker has the positions. */
  async commit(): Promise<void> {
    this.assertAlive('commit');
    for (const [record, source] of this.consumed) source.complete(record);
    this.consumed.clear();
    await Promise.all([...this.sources.values()].map((s) => s.flush()));
  }

  /** Produces to a dataset through this channel's connection. */
  produce(
    dataset: string,
    value: unknown,
    options?: { key?: string; headers?: Record<string, string> },
  ): Promise<ProduceResult>;
  /**
   * Produces records, each with its own dataset, key and headers (the seed channel's `produce({ records })`);
   * see `ChannelService.produce(records)`.
   */
  produce(records: readonly ProduceRecord[]): Promise<ProduceResult[]>;
  produce(
    datasetOrRecords: string | readonly ProduceRecord[],
    value?: unknown,
    options?: { key?: string; headers?: Record<string, string> },
  ): Promise<ProduceResult | ProduceResult[]> {
    this.assertAlive('produce');
    if (typeof datasetOrRecords === 'string') return this.channel.produce(datasetOrRecords, value, options);
    return this.channel.produce(datasetOrRecords);
  }

  /**
   * Loops: consume → `callback(messages)` → commit, while the callback returns `true` (or until `stop()`).
   * Waits `waitBetweenQueriesMs` after a consume that returned nothing. A thrown callback error stops the
   * loop without committing that batch, and is rethrown.
   */
  async run(
    callback: (messages: DatasetMessage[]) => boolean | Promise<boolean>,
    options: RunOptions = {},
  ): Promise<void> {
    this.assertAlive('run');
    if (this.running) throw new SubscriptionClosedError('run: a run is already in progress', 'channel');
    if (options.datasets !== undefined) await this.subscribe(options.datasets);
    const pause = assertDuration(options.waitBetweenQueriesMs ?? 30_000, 'run: waitBetweenQueriesMs', 0);
    const stop = (this.stopRequested = new AbortController());
    const loop = (async () => {
      while (!stop.signal.aborted) {
        const messages = await this.consume();
        if (stop.signal.aborted) break;
        if (messages.length === 0) {
          await sleep(pause, stop.signal).catch(() => undefined);
          continue;
        }
        const goOn = await callback(messages);
        await this.commit();
        if (goOn !== true) break;
      }
    })();
    this.running = loop;
    try {
      await loop;
    } finally {
      this.running = undefined;
      this.stopRequested = undefined;
    }
  }

  /** Stops a running `run()` and waits for it to return; returns at once when none runs. */
  async stop(): Promise<void> {
    this.stopRequested?.abort(new Error('stopped'));
    await this.running?.catch(() => undefined);
  }

  /** Drops local consumer state: uncommitted messages are delivered again to the next `consume()`. */
  async reset(): Promise<void> {
    this.assertAlive('reset');
    await this.closeSources();
  }

  /**
   * Leaves the group: the channel's consumers are closed (deleted on the REST streaming service), nothing
   * more is committed, and the channel stays usable: the next `consume()` joins the group again with new
   * consumers, from the committed position. The seed channel's `delete()`.
   */
  async delete(): Promise<void> {
    this.assertAlive('delete');
    await this.stop();
    await this.closeSources();
  }

  /** Stops, closes the group's consumers (committing nothing more) and releases everything. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await this.stop();
    this.destroyed = true;
    await this.closeSources();
    this.untrack();
  }

  /** `await using channel = channels.open(…)` (the seed's `with Channel(…)`): calls `destroy()` on leaving. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }

  async ack(message: DatasetMessage): Promise<void> {
    const source = this.consumed.get(message.record);
    this.consumed.delete(message.record);
    source?.complete(message.record);
  }

  async nack(message: DatasetMessage, delayMs: number): Promise<void> {
    const source = this.consumed.get(message.record);
    this.consumed.delete(message.record);
    if (source && this.connection.transport.capabilities.nack) await source.nack(message.record, delayMs);
  }

  private async sourceFor({ key, pattern }: ChannelEntry): Promise<RecordStream> {
    let source = this.sources.get(key);
    if (!source) {
      this.assertSettingsSupported(this.connection.transport);
      const opts = this.connection.options;
      const where = pattern
        ? `open({ group: '${this.group}', datasets: [{ pattern: '${key}' }] })`
        : `open({ group: '${this.group}' })`;
      const spec = {
        dataset: key,
        group: this.group,
        start: this.offset,
        prefetch: this.options.prefetch ?? this.batch * 10,
        groupExpiryMs: opts.groupExpiryMs,
        amqp: this.amqp,
        consumerConfig: {
          ...(this.options.extraConfigs ?? {}),
          ...(this.options.requestTimeoutMs !== undefined
            ? { requestTimeoutMs: this.options.requestTimeoutMs }
            : {}),
          ...(this.options.sessionTimeoutMs !== undefined
            ? { sessionTimeoutMs: this.options.sessionTimeoutMs }
            : {}),
        },
      };
      source = pattern
        ? await this.connection.openPatternSource(spec, pattern, where, this.options.retryOnFail)
        : await this.connection.openSource(spec, where, this.options.retryOnFail);
      this.sources.set(key, source);
    }
    return source;
  }

  /** `UnsupportedFeatureError` for a consumer setting the transport does not declare in `channelSettings`. */
  private assertSettingsSupported(transport: StreamingTransport): void {
    assertChannelSettingsSupported(
      transport.name,
      transport.capabilities,
      this.options,
      `open({ group: '${this.group}' })`,
    );
  }

  private async closeSources(): Promise<void> {
    this.consumed.clear();
    const sources = [...this.sources.values()];
    this.sources.clear();
    await Promise.allSettled(sources.map((s) => s.close()));
  }

  private assertAlive(operation: string): void {
    if (this.destroyed) throw new SubscriptionClosedError(operation, 'channel (destroyed)');
  }
}

/** The entries of `datasets`: names checked like any dataset, patterns parsed (`{ pattern }`). */
function toList(value: ChannelDatasets, option: string): ChannelEntry[] {
  const list = typeof value === 'string' || isDatasetPattern(value) ? [value] : value;
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigurationError(
      option,
      "a dataset name, a pattern ({ pattern: 'a.*' }) or a non-empty list of them",
    );
  return list.map((entry: unknown, i) => {
    if (!isDatasetPattern(entry)) return { key: assertDatasetName(entry, `${option}[${i}]`) };
    const pattern = parseDatasetPattern(entry, `${option}[${i}]: pattern`);
    return { key: pattern.text, pattern };
  });
}
