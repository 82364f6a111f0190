import { IncomingRecord } from '../transport/transport-record.interface';
import { AckTracker } from './ack-tracker';

const rec = (sequence: number, partition?: number): IncomingRecord => ({
  dataset: 'd',
  headers: {},
  data: Buffer.alloc(0),
  sequence,
  partition,
  timestamp: new Date(0),
  redelivered: false,
});

describe('AckTracker', () => {
  it('position mode never releases past an unfinished record (the watermark)', () => {
    const tracker = new AckTracker('position');
    const [r1, r2, r3] = [rec(1), rec(2), rec(3)];
    tracker.track([r1, r2, r3]);
    expect(tracker.complete(r2)).toEqual([]);
    expect(tracker.complete(r3)).toEqual([]);
    expect(tracker.complete(r1)).toEqual([r1, r2, r3]);
    expect(tracker.size).toBe(0);
  });

  it('position mode keeps one watermark per partition', () => {
    const tracker = new AckTracker('position');
    const a1 = rec(10, 0);
    const a2 = rec(11, 0);
    const b1 = rec(5, 1);
    tracker.track([a1, b1, a2]);
    expect(tracker.complete(a2)).toEqual([]);
    expect(tracker.complete(b1)).toEqual([b1]);
    expect(tracker.complete(a1)).toEqual([a1, a2]);
  });

  it('individual mode releases each record as it finishes', () => {
    const tracker = new AckTracker('individual');
    const [r1, r2] = [rec(1), rec(2)];
    tracker.track([r1, r2]);
    expect(tracker.complete(r2)).toEqual([r2]);
    expect(tracker.complete(r1)).toEqual([r1]);
    expect(tracker.complete(r1)).toEqual([]);
  });

  it('stays correct across compaction of long lanes', () => {
    const tracker = new AckTracker('position');
    const records = Array.from({ length: 5000 }, (_, i) => rec(i));
    tracker.track(records);
    let released = 0;
    for (const r of records) released += tracker.complete(r).length;
    expect(released).toBe(5000);
    const late = rec(5000);
    tracker.track([late]);
    expect(tracker.complete(late)).toEqual([late]);
  });
});
