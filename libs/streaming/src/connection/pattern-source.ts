import { ConfigurationError } from '@databus/common';
import { errorMessage } from '@databus/common/internal';
import { Offset } from '../offset/offset';
import { MergedRecordSource } from '../runtime/merged-record-source';
import { RecordStream, seekTargetOn } from '../runtime/record-source';
import type { DatasetPatternMatcher } from '../transport/dataset-pattern';
import { StreamingTransport, SubscriptionSpec, TransportLogger } from '../transport/transport.interface';

/** What opening a listed pattern subscription needs from the streaming connection. */
export interface PatternSourceContext {
  transport: StreamingTransport;
  logger: TransportLogger;
  /** How often the datasets are listed again (transports without `watchDatasets`). */
  refreshMs: number;
  /** Opens the supervised subscription of one dataset (`StreamingConnection.openSource`). */
  openDataset(spec: SubscriptionSpec): Promise<RecordStream>;
}

/**
 * Opens the subscriptions of a pattern on a `'listed'` transport: one per dataset that exists now and
 * matches, merged into one stream, and one more for every matching dataset created later: the transport
 * tells of it at once (`watchDatasets`: memory) or the next listing, every `refreshMs`, finds it (NATS,
 * Kafka). A pattern matching nothing yet is no error: the stream waits for its first dataset (one log line).
 * A dataset that joins later is read from its beginning (its messages were all written after the
 * subscription started), unless the subscription asked for a sequence or a time.
 */
export async function openListedPatternSource(
  context: PatternSourceContext,
  spec: SubscriptionSpec,
  pattern: DatasetPatternMatcher,
): Promise<RecordStream> {
  const { transport, logger, refreshMs } = context;
  const listDatasets = transport.listDatasets?.bind(transport);
  if (!listDatasets)
    throw new ConfigurationError(
      `${transport.name} transport: listDatasets`,
      "a listDatasets() method (the transport declares capabilities.datasetPatterns: 'listed')",
    );
  const list = async (): Promise<string[]> =>
    [...new Set(await listDatasets(pattern))].filter(pattern.matches).sort();
  const discovery = new DatasetDiscovery(context, spec, pattern, list);
  const merged = new MergedRecordSource(new Map(), {
    onClose: () => discovery.stop(),
    seekTarget: (value, option) => seekTargetOn(transport, value, option),
  });
  discovery.merged = merged;
  // A watch starts before the first listing, so a dataset created in between is not missed.
  discovery.watch();
  try {
    const initial = await list();
    for (const dataset of initial) await discovery.join(dataset, spec.start);
    const how = transport.watchDatasets ? 'at once' : `within ${refreshMs} ms`;
    logger.log(
      initial.length
        ? `Pattern "${pattern.text}" matched ${initial.length} dataset(s): ${initial.join(', ')}; datasets created later are picked up ${how}`
        : `Pattern "${pattern.text}" matches no dataset yet; matching datasets are subscribed as they appear (picked up ${how})`,
    );
  } catch (error) {
    await merged.close().catch(() => undefined);
    throw error;
  }
  discovery.ready();
  return merged;
}

/** Finds the datasets that join a pattern after it started, and opens their subscriptions. */
class DatasetDiscovery {
  merged!: MergedRecordSource;
  private readonly opening = new Set<string>();
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private unwatch?: () => void;
  /** Names the watch told of before the first listing was done, joined after it. */
  private early: string[] | undefined = [];
  /** Set while listings fail, so a failing streak logs one line, not one per listing. */
  private failing = false;

  constructor(
    private readonly context: PatternSourceContext,
    private readonly spec: SubscriptionSpec,
    private readonly pattern: DatasetPatternMatcher,
    private readonly list: () => Promise<string[]>,
  ) {}

  /** Where a dataset that joins later starts: its beginning, unless a sequence or a time was asked for. */
  private get laterStart(): Offset {
    const start = this.spec.start;
    const fromBeginning = start.kind === 'latest' || start.kind === 'none';
    return fromBeginning && this.context.transport.capabilities.history ? Offset.BEGIN : start;
  }

  watch(): void {
    const watchDatasets = this.context.transport.watchDatasets?.bind(this.context.transport);
    if (!watchDatasets) return;
    this.unwatch = watchDatasets((dataset) => {
      if (this.stopped || !this.pattern.matches(dataset)) return;
      if (this.early) this.early.push(dataset);
      else void this.joinLater(dataset);
    });
  }

  /** The first listing is done: join what the watch told of meanwhile, or start listing periodically. */
  ready(): void {
    const early = this.early ?? [];
    this.early = undefined;
    for (const dataset of early) void this.joinLater(dataset);
    if (!this.unwatch) this.schedule();
  }

  /** Opens and adds the subscription of `dataset` unless it is read or being opened already. */
  async join(dataset: string, start: Offset): Promise<void> {
    if (this.stopped || this.merged.has(dataset) || this.opening.has(dataset)) return;
    this.opening.add(dataset);
    try {
      const source = await this.context.openDataset({ ...this.spec, dataset, start });
      await this.merged.add(dataset, source);
    } finally {
      this.opening.delete(dataset);
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unwatch?.();
  }

  private async joinLater(dataset: string): Promise<void> {
    if (this.stopped || this.merged.has(dataset)) return;
    try {
      await this.join(dataset, this.laterStart);
      if (this.merged.has(dataset))
        this.context.logger.log(`Pattern "${this.pattern.text}": subscribed to new dataset "${dataset}"`);
    } catch (error) {
      // Not added: the next listing (or the next message of a watched transport) tries again.
      if (!this.stopped)
        this.context.logger.warn(
          `Pattern "${this.pattern.text}": could not subscribe to new dataset "${dataset}" (${errorMessage(error)}); trying again later`,
        );
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.refresh(), this.context.refreshMs);
    this.timer.unref();
  }

  /** One listing: joins the datasets not read yet (one after the other), then schedules the next. */
  private async refresh(): Promise<void> {
    try {
      const datasets = await this.list();
      if (this.failing)
        this.context.logger.log(`Pattern "${this.pattern.text}": listing the datasets works again`);
      this.failing = false;
      for (const dataset of datasets) await this.joinLater(dataset);
    } catch (error) {
      if (!this.failing && !this.stopped)
        this.context.logger.warn(
          `Pattern "${this.pattern.text}": listing the datasets failed (${errorMessage(error)}); trying again every ${this.context.refreshMs} ms`,
        );
      this.failing = true;
    } finally {
      this.schedule();
    }
  }
}
