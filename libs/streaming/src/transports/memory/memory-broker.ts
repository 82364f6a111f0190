import { MemoryGroup } from './memory-group';
import { MemoryLog, MemoryRetention } from './memory-log';
import { StoredRecord } from './memory-log';

/** A pending request waiting for its reply. */
type ReplyWaiter = (record: StoredRecord) => void;

const DEFAULT_RETENTION: MemoryRetention = { maxAgeMs: 7 * 24 * 3600_000, maxMessages: 1_000_000 };

/**
 * An in-process broker: one append-only log per dataset and the consumer groups reading them.
 * Brokers are looked up by name (`memory://name`), so the committed positions of durable groups outlive
 * any one Nest application in the process, as a real broker's would.
 */
export class MemoryBroker {
  private static readonly brokers = new Map<string, MemoryBroker>();

  private readonly logs = new Map<string, MemoryLog>();
  private readonly groups = new Map<string, MemoryGroup>();
  private readonly inboxes = new Map<string, ReplyWaiter>();
  /** Told of every dataset log created (dataset pattern subscriptions). */
  private readonly datasetWatchers = new Set<(dataset: string) => void>();
  retention: MemoryRetention = { ...DEFAULT_RETENTION };
  now: () => number = Date.now;

  /** The broker called `name`, created on first use. */
  static get(name: string): MemoryBroker {
    let broker = this.brokers.get(name);
    if (!broker) this.brokers.set(name, (broker = new MemoryBroker(name)));
    return broker;
  }

  /** Forgets the broker called `name` (every dataset and group), or all brokers. For tests. */
  static reset(name?: string): void {
    if (name === undefined) this.brokers.clear();
    else this.brokers.delete(name);
  }

  private constructor(readonly name: string) {}

  log(dataset: string): MemoryLog {
    let log = this.logs.get(dataset);
    if (!log) {
      this.logs.set(dataset, (log = new MemoryLog(dataset, this.retention, () => this.now())));
      for (const watcher of this.datasetWatchers) watcher(dataset);
    }
    return log;
  }

  /** Calls `watcher` with every dataset created from now on; returns a function that stops it. */
  watchDatasets(watcher: (dataset: string) => void): () => void {
    this.datasetWatchers.add(watcher);
    return () => this.datasetWatchers.delete(watcher);
  }

  /** Every dataset that has a log. */
  datasets(): string[] {
    return [...this.logs.keys()];
  }

  /** A durable group's state, if it exists (and has not expired). */
  findGroup(dataset: string, group: string, expiryMs: number): MemoryGroup | undefined {
    const key = groupKey(dataset, group);
    const state = this.groups.get(key);
    if (state && state.members.size === 0 && this.now() - state.lastActive > expiryMs) {
      this.groups.delete(key);
      return undefined;
    }
    return state;
  }

  createGroup(dataset: string, group: string | undefined, startSequence: number): MemoryGroup {
    const state = new MemoryGroup(this.log(dataset), group, startSequence, this.now());
    if (group !== undefined) this.groups.set(groupKey(dataset, group), state);
    return state;
  }

  /** Registers a reply inbox; returns a function that removes it. */
  openInbox(address: string, waiter: ReplyWaiter): () => void {
    this.inboxes.set(address, waiter);
    return () => this.inboxes.delete(address);
  }

  /** Delivers a reply; false when nobody waits for it any more (timed out). */
  deliverReply(address: string, record: StoredRecord): boolean {
    const waiter = this.inboxes.get(address);
    if (!waiter) return false;
    this.inboxes.delete(address);
    waiter(record);
    return true;
  }
}

function groupKey(dataset: string, group: string): string {
  return `${dataset}\u0000${group}`;
}
