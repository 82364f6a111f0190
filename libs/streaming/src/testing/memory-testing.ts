import { MemoryBroker } from '../transports/memory/memory-broker';
import { StoredRecord } from '../transports/memory/memory-log';

/**
 * Helpers for users' own tests on the memory transport.
 * @publicApi
 */
export const MemoryStreaming = Object.freeze({
  /** Forgets the memory broker `name` (every dataset and committed position), or every memory broker. */
  reset(name?: string): void {
    MemoryBroker.reset(name);
  },
  /** The messages stored in `dataset` of the memory broker `name`, oldest first. */
  messages(name: string, dataset: string): StoredRecord[] {
    const log = MemoryBroker.get(name).log(dataset);
    const out: StoredRecord[] = [];
    for (let seq = log.firstSequence; seq < log.nextSequence; seq++) {
      const record = log.get(seq);
      if (record) out.push(record);
    }
    return out;
  },
  /** Replaces the clock of the memory broker `name` (timestamps and retention), e.g. for time seeks. */
  useClock(name: string, now: () => number): void {
    MemoryBroker.get(name).now = now;
  },
});
