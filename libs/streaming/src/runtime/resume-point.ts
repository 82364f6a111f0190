import { Offset } from '../offset/offset';
import { TransportCapabilities } from '../transport/transport-capabilities';
import { IncomingRecord } from '../transport/transport-record.interface';
import { SubscriptionSpec } from '../transport/transport.interface';

/**
 * Where a private subscription (no group, so no position at the broker) resumes when the runtime has to
 * subscribe again after losing it: at the oldest record it delivered and that is not finished, else right
 * after the last one it delivered, else at its start (`LATEST` taken as the time it subscribed, so nothing
 * produced during the outage is missed). Only on transports with positions by sequence and records without
 * partitions; elsewhere the spec is used as it is.
 */
export class ResumePoint {
  private start: Offset;
  private highest = -1;
  private enabled: boolean;

  constructor(
    private readonly spec: SubscriptionSpec,
    private readonly capabilities: TransportCapabilities,
  ) {
    this.enabled = spec.group === undefined && capabilities.seekBySequence;
    this.start = this.anchor(spec.start);
  }

  /** Notes records handed to the runtime. */
  delivered(records: readonly IncomingRecord[]): void {
    if (!this.enabled) return;
    for (const record of records) {
      if (record.partition !== undefined) {
        this.enabled = false; // a sequence alone does not say where in a partitioned dataset
        return;
      }
      if (record.sequence > this.highest) this.highest = record.sequence;
    }
  }

  /** The subscription was moved: it resumes at `offset` until it delivers something. */
  seeked(offset: Offset): void {
    this.start = this.anchor(offset);
    this.highest = -1;
  }

  /** The spec to subscribe again with, given the oldest unfinished record of the lost subscription. */
  resumeSpec(oldestUnfinished: number | undefined): SubscriptionSpec {
    if (!this.enabled) return this.spec;
    if (oldestUnfinished !== undefined) return { ...this.spec, start: Offset.sequence(oldestUnfinished) };
    if (this.highest >= 0) return { ...this.spec, start: Offset.sequence(this.highest + 1) };
    return this.start === this.spec.start ? this.spec : { ...this.spec, start: this.start };
  }

  private anchor(offset: Offset): Offset {
    return offset.kind === 'latest' && this.enabled && this.capabilities.seekByTime
      ? Offset.time(Date.now())
      : offset;
  }
}
