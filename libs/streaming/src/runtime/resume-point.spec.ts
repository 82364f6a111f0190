import { Offset } from '../offset/offset';
import { TransportCapabilities } from '../transport/transport-capabilities';
import { IncomingRecord } from '../transport/transport-record.interface';
import { SubscriptionSpec } from '../transport/transport.interface';
import { ResumePoint } from './resume-point';

/** Only what ResumePoint reads. */
const capabilities = (over: Partial<TransportCapabilities> = {}): TransportCapabilities =>
  ({ seekBySequence: true, seekByTime: true, ...over }) as TransportCapabilities;
const spec = (over: Partial<SubscriptionSpec> = {}): SubscriptionSpec => ({
  dataset: 'readings',
  start: Offset.BEGIN,
  prefetch: 10,
  groupExpiryMs: 60_000,
  ...over,
});
const record = (sequence: number, partition?: number): IncomingRecord => ({
  dataset: 'readings',
  headers: {},
  data: Buffer.alloc(0),
  sequence,
  timestamp: new Date(0),
  redelivered: false,
  partition,
});

describe('ResumePoint', () => {
  it('resumes a private subscription at the oldest unfinished record it delivered', () => {
    const point = new ResumePoint(spec(), capabilities());
    point.delivered([record(4), record(5), record(6)]);
    expect(point.resumeSpec(5).start).toEqual(Offset.sequence(5));
  });

  it('resumes right after the last delivered record when every delivered record was finished', () => {
    const point = new ResumePoint(spec(), capabilities());
    point.delivered([record(4), record(5)]);
    point.delivered([record(6)]);
    expect(point.resumeSpec(undefined).start).toEqual(Offset.sequence(7));
  });

  it('before any delivery, resumes at the start, with LATEST taken as the time it subscribed', () => {
    const begin = spec();
    expect(new ResumePoint(begin, capabilities()).resumeSpec(undefined)).toBe(begin);
    const before = Date.now();
    const latest = new ResumePoint(spec({ start: Offset.LATEST }), capabilities()).resumeSpec(
      undefined,
    ).start;
    expect(latest.kind).toBe('time');
    expect(latest.kind === 'time' && latest.time.getTime()).toBeGreaterThanOrEqual(before);
    const noTime = spec({ start: Offset.LATEST });
    expect(new ResumePoint(noTime, capabilities({ seekByTime: false })).resumeSpec(undefined)).toBe(noTime);
  });

  it('after a seek, resumes at the seek target until something is delivered', () => {
    const point = new ResumePoint(spec(), capabilities());
    point.delivered([record(4)]);
    point.seeked(Offset.sequence(100));
    expect(point.resumeSpec(undefined).start).toEqual(Offset.sequence(100));
    point.delivered([record(100)]);
    expect(point.resumeSpec(undefined).start).toEqual(Offset.sequence(101));
  });

  it('leaves a group, a transport without positions by sequence, and a partitioned dataset to the broker', () => {
    const group = spec({ group: 'store' });
    const inGroup = new ResumePoint(group, capabilities());
    inGroup.delivered([record(1)]);
    expect(inGroup.resumeSpec(undefined)).toBe(group);
    const mqtt = spec();
    const noSequence = new ResumePoint(mqtt, capabilities({ seekBySequence: false }));
    noSequence.delivered([record(1)]);
    expect(noSequence.resumeSpec(undefined)).toBe(mqtt);
    const kafka = spec();
    const partitioned = new ResumePoint(kafka, capabilities({ ackMode: 'position' }));
    partitioned.delivered([record(1, 0)]);
    expect(partitioned.resumeSpec(1)).toBe(kafka);
  });
});
