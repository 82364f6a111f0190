import { DatabusError } from '@databus/common';
import { OutgoingRecord, ProduceResult } from '../transport/transport-record.interface';

/** Sends one batch of records to a dataset; resolves (one result per record, in order) once the broker has them. */
export type BatchSender = (dataset: string, records: OutgoingRecord[]) => Promise<ProduceResult[]>;

/** The produce calls of one dataset waiting for the end of the tick. */
interface Pending {
  records: OutgoingRecord[];
  resolves: Array<(result: ProduceResult) => void>;
  rejects: Array<(error: unknown) => void>;
}

/** Most records sent in one transport call; a tick with more sends several batches. */
export const MAX_COALESCED_BATCH = 1000;

/**
 * Coalesces the `produce()` calls made in one tick into one transport batch per dataset: one confirm wait and
 * one socket write for all of them, the way `produceMany` sends. Written once here, above the transports,
 * which each take a batch (`StreamingTransport.produce`).
 * - Each call still resolves only once the broker acknowledged its record, with that record's result.
 * - Order is kept: records of a dataset leave in call order, in one batch (the transport keeps order per key).
 * - A batch that fails rejects every call in it with that error (each caller retries as before), except
 *   for a permanent databus error (say one record too large for the broker): the batch is then sent again
 *   record by record, so each call gets its own outcome and one bad record does not fail its neighbours.
 */
export class ProduceCoalescer {
  private pending = new Map<string, Pending>();
  private scheduled = false;
  private readonly flushTick = (): void => this.flush();

  constructor(private readonly send: BatchSender) {}

  /** Queues `record` for the end of the tick; resolves with its result once the broker has it. */
  add(dataset: string, record: OutgoingRecord): Promise<ProduceResult> {
    let batch = this.pending.get(dataset);
    if (!batch) {
      batch = { records: [], resolves: [], rejects: [] };
      this.pending.set(dataset, batch);
    }
    const queued = batch;
    const result = new Promise<ProduceResult>((resolve, reject) => {
      queued.resolves.push(resolve);
      queued.rejects.push(reject);
    });
    queued.records.push(record);
    if (queued.records.length >= MAX_COALESCED_BATCH) {
      this.pending.delete(dataset);
      this.dispatch(dataset, queued);
    } else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushTick);
    }
    return result;
  }

  private flush(): void {
    this.scheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const [dataset, batch] of batches) this.dispatch(dataset, batch);
  }

  private dispatch(dataset: string, batch: Pending): void {
    this.send(dataset, batch.records).then(
      (results) => {
        for (let i = 0; i < batch.resolves.length; i++) batch.resolves[i](results[i] ?? {});
      },
      (error) => {
        const permanent = error instanceof DatabusError && !error.retriable;
        if (batch.records.length === 1 || !permanent) {
          for (const reject of batch.rejects) reject(error);
          return;
        }
        batch.records.forEach((record, i) => {
          this.send(dataset, [record]).then(
            (results) => batch.resolves[i](results[0] ?? {}),
            (single) => batch.rejects[i](single),
          );
        });
      },
    );
  }
}
