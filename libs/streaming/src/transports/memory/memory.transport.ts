import { randomUUID } from 'node:crypto';
import { RequestTimeoutError } from '@databus/common';
import { BaseTransport } from '../../transport/base-transport';
import type { DatasetPatternMatcher } from '../../transport/dataset-pattern';
import { defineCapabilities } from '../../transport/transport-capabilities';
import { IncomingRecord, OutgoingRecord, ProduceResult } from '../../transport/transport-record.interface';
import {
  StreamingTransport,
  SubscriptionSpec,
  TransportContext,
  TransportSubscription,
} from '../../transport/transport.interface';
import { MemoryBroker } from './memory-broker';
import { StoredRecord } from './memory-log';
import { startSequence } from './memory-positions';
import { MemorySubscription } from './memory.subscription';
import { resolveMemoryOptions } from './memory.options';

// Every capability; no consumer setting (in process: no broker requests to time out, no consumer that can
// die without closing).
const CAPABILITIES = defineCapabilities({ datasetPatterns: 'listed' });

/**
 * The embedded transport: `memory://name` connects to the in-process broker called `name`. It implements
 * every capability, so the demo and users' own tests run with no broker at all.
 */
export class MemoryTransport
  extends BaseTransport<MemorySubscription, 'memory'>
  implements StreamingTransport
{
  readonly broker: MemoryBroker;
  private readonly requestTimers = new Set<NodeJS.Timeout>();

  constructor(context: TransportContext) {
    super('memory', CAPABILITIES, context);
    this.broker = MemoryBroker.get(context.url.hosts[0]?.host || context.url.path || 'default');
    const { retention } = resolveMemoryOptions(context.transportOptions);
    if (retention) Object.assign(this.broker.retention, retention);
  }

  async connect(): Promise<void> {
    this.reopen();
    this.statusEmitter.set({ type: 'connected' });
  }

  async produce(dataset: string, records: readonly OutgoingRecord[]): Promise<ProduceResult[]> {
    this.assertOpen('produce');
    const log = this.broker.log(dataset);
    const timestamp = new Date(this.broker.now());
    const results: ProduceResult[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const stored = log.append(
        { key: r.key, headers: { ...r.headers }, data: Buffer.from(r.data) },
        timestamp,
      );
      results[i] = { sequence: stored.sequence };
    }
    log.notify();
    return results;
  }

  /** The datasets of the in-process broker (those produced to or subscribed) that `pattern` matches. */
  async listDatasets(pattern: DatasetPatternMatcher): Promise<string[]> {
    this.assertOpen('subscribe');
    return this.broker.datasets().filter((dataset) => pattern.matches(dataset));
  }

  /** Tells `onDataset` of every dataset the in-process broker creates from now on (at once, synchronously). */
  watchDatasets(onDataset: (dataset: string) => void): () => void {
    this.assertOpen('subscribe');
    return this.broker.watchDatasets(onDataset);
  }

  async subscribe(spec: SubscriptionSpec): Promise<TransportSubscription> {
    this.assertOpen('subscribe');
    const log = this.broker.log(spec.dataset);
    let group =
      spec.group === undefined
        ? undefined
        : this.broker.findGroup(spec.dataset, spec.group, spec.groupExpiryMs);
    const resumed = group?.firstUnacknowledged;
    if (!group)
      group = this.broker.createGroup(spec.dataset, spec.group, startSequence(log, spec.start, spec.group));
    const sub = new MemorySubscription(this.broker, group, spec.prefetch, (s) =>
      this.subscriptions.delete(s),
    );
    sub.resumedAt = resumed;
    this.subscriptions.add(sub);
    return sub;
  }

  async request(dataset: string, record: OutgoingRecord, timeoutMs: number): Promise<IncomingRecord> {
    this.assertOpen('request');
    const inbox = `memory-inbox.${randomUUID()}`;
    const correlationId = randomUUID();
    return new Promise<IncomingRecord>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requestTimers.delete(timer);
        closeInbox();
        reject(new RequestTimeoutError(dataset, timeoutMs));
      }, timeoutMs);
      timer.unref();
      this.requestTimers.add(timer);
      const closeInbox = this.broker.openInbox(inbox, (reply: StoredRecord) => {
        clearTimeout(timer);
        this.requestTimers.delete(timer);
        resolve({
          dataset: inbox,
          key: reply.key,
          headers: reply.headers,
          data: reply.data,
          sequence: 0,
          timestamp: reply.timestamp,
          redelivered: false,
          correlationId,
        });
      });
      const log = this.broker.log(dataset);
      log.append({
        key: record.key,
        headers: { ...record.headers },
        data: Buffer.from(record.data),
        replyTo: inbox,
        correlationId,
      });
      log.notify();
    });
  }

  async reply(replyTo: string, correlationId: string | undefined, record: OutgoingRecord): Promise<void> {
    this.assertOpen('reply');
    this.broker.deliverReply(replyTo, {
      sequence: 0,
      timestamp: new Date(this.broker.now()),
      key: record.key,
      headers: { ...record.headers },
      data: Buffer.from(record.data),
      correlationId,
    });
  }

  protected async shutdown(): Promise<void> {
    await this.closeSubscriptions();
    for (const timer of this.requestTimers) clearTimeout(timer);
    this.requestTimers.clear();
  }
}

/** Builds the memory transport. */
export const memoryTransportFactory = (context: TransportContext): StreamingTransport =>
  new MemoryTransport(context);
