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
    expect(tracker.complete(r2)).toBe(false);
    expect(tracker.complete(r3)).toBe(false);
    expect(tracker.drain()).toEqual([]);
    expect(tracker.complete(r1)).toBe(true);
    expect(tracker.drain()).toEqual([r1, r2, r3]);
    expect(tracker.size).toBe(0);
  });

  it('position mode keeps one watermark per partition', () => {
    const tracker = new AckTracker('position');
    const a1 = rec(10, 0);
    const a2 = rec(11, 0);
    const b1 = rec(5, 1);
    tracker.track([a1, b1, a2]);
    tracker.complete(a2);
    tracker.complete(b1);
    expect(tracker.drain()).toEqual([b1]);
    tracker.complete(a1);
    expect(tracker.drain()).toEqual([a1, a2]);
  });

  it('hands out everything finished between two drains in one list', () => {
    const tracker = new AckTracker('position');
    const records = [rec(1), rec(2), rec(3), rec(4)];
    tracker.track(records);
    for (const r of records) tracker.complete(r);
    expect(tracker.drain()).toEqual(records);
    expect(tracker.drain()).toEqual([]);
  });

  it('position mode holds the watermark at a released record, which can no longer be completed', () => {
    const tracker = new AckTracker('position');
    const [r1, r2] = [rec(1), rec(2)];
    tracker.track([r1, r2]);
    tracker.release(r1);
    expect(tracker.size).toBe(1);
    expect(tracker.has(r1)).toBe(false);
    expect(tracker.complete(r1)).toBe(false);
    tracker.complete(r2);
    expect(tracker.drain()).toEqual([]);
    expect(tracker.size).toBe(0);
  });

  it('individual mode releases each record as it finishes, once', () => {
    const tracker = new AckTracker('individual');
    const [r1, r2] = [rec(1), rec(2)];
    tracker.track([r1, r2]);
    expect(tracker.complete(r2)).toBe(true);
    expect(tracker.drain()).toEqual([r2]);
    expect(tracker.complete(r1)).toBe(true);
    expect(tracker.complete(r1)).toBe(false);
    expect(tracker.drain()).toEqual([r1]);
  });

  it('individual mode forgets a released record', () => {
    const tracker = new AckTracker('individual');
    const [r1, r2] = [rec(1), rec(2)];
    tracker.track([r1, r2]);
    tracker.release(r1);
    expect(tracker.size).toBe(1);
    expect(tracker.complete(r1)).toBe(false);
    tracker.complete(r2);
    expect(tracker.drain()).toEqual([r2]);
  });

  it('stays correct across compaction of long lanes', () => {
    const tracker = new AckTracker('position');
    const records = Array.from({ length: 5000 }, (_, i) => rec(i));
    tracker.track(records);
    let released = 0;
    for (const r of records) {
      tracker.complete(r);
      released += tracker.drain().length;
    }
    expect(released).toBe(5000);
    const late = rec(5000);
    tracker.track([late]);
    tracker.complete(late);
    expect(tracker.drain()).toEqual([late]);
  });

  it('forgets everything on clear', () => {
    const tracker = new AckTracker('position');
    const r1 = rec(1);
    tracker.track([r1]);
    tracker.clear();
    expect(tracker.size).toBe(0);
    expect(tracker.complete(r1)).toBe(false);
    expect(tracker.drain()).toEqual([]);
  });

  it('tells the oldest unfinished delivered record, in either mode', () => {
    for (const mode of ['individual', 'position'] as const) {
      const tracker = new AckTracker(mode);
      const [r4, r5, r6] = [rec(4), rec(5), rec(6)];
      expect(tracker.oldestUnfinished()).toBeUndefined();
      tracker.track([r4, r5, r6]);
      tracker.complete(r4);
      tracker.complete(r6);
      expect(tracker.oldestUnfinished()).toBe(5);
      tracker.complete(r5);
      expect(tracker.oldestUnfinished()).toBeUndefined();
    }
  });
});
