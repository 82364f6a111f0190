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

describe('AckTracker lookups (in order, out of order, stale)', () => {
  it('position mode: out-of-order completion across many records keeps the watermark exact', () => {
    const tracker = new AckTracker('position');
    const records = Array.from({ length: 3000 }, (_, i) => rec(i));
    tracker.track(records);
    // complete every odd one first, then the even ones backwards
    for (let i = 1; i < records.length; i += 2) expect(tracker.complete(records[i])).toBe(false);
    expect(tracker.drain()).toEqual([]);
    for (let i = records.length - 2; i > 0; i -= 2) expect(tracker.complete(records[i])).toBe(false);
    expect(tracker.size).toBe(1);
    expect(tracker.complete(records[0])).toBe(true);
    expect(tracker.drain()).toEqual(records);
    expect(tracker.size).toBe(0);
  });

  it('a record completed twice, or one of a cleared or different tracker, is not in flight', () => {
    for (const mode of ['individual', 'position'] as const) {
      const tracker = new AckTracker(mode);
      const [r1, r2, r3] = [rec(1), rec(2), rec(3)];
      tracker.track([r1, r2]);
      expect(tracker.complete(r1)).toBe(true);
      expect(tracker.complete(r1)).toBe(false);
      expect(tracker.complete(r3)).toBe(false); // never tracked
      expect(tracker.has(r2)).toBe(true);
      expect(tracker.has(r3)).toBe(false);
      tracker.clear();
      tracker.track([r3]);
      expect(tracker.complete(r2)).toBe(false);
      expect(tracker.complete(r3)).toBe(true);
      expect(tracker.size).toBe(0);
    }
  });

  it('a record delivered again as a new object in the same lane (same sequence) is tracked on its own', () => {
    const tracker = new AckTracker('position');
    const first = rec(7);
    const again = rec(7);
    tracker.track([first, again]);
    expect(tracker.complete(again)).toBe(false);
    expect(tracker.complete(first)).toBe(true);
    expect(tracker.drain()).toEqual([first, again]);
  });

  it('individual mode stays proportional to what is in flight behind a slow record', () => {
    const tracker = new AckTracker('individual');
    const slow = rec(0);
    tracker.track([slow]);
    let drained = 0;
    for (let i = 1; i <= 10_000; i++) {
      const r = rec(i);
      tracker.track([r]);
      expect(tracker.complete(r)).toBe(true);
      drained += tracker.drain().length;
    }
    expect(drained).toBe(10_000);
    expect(tracker.size).toBe(1);
    expect(tracker.has(slow)).toBe(true);
    expect(tracker.oldestUnfinished()).toBe(0);
    expect(tracker.complete(slow)).toBe(true);
    expect(tracker.drain()).toEqual([slow]);
    expect(tracker.oldestUnfinished()).toBeUndefined();
  });

  it('position mode counts a released record as the oldest unfinished; individual mode forgets it', () => {
    for (const [mode, expected] of [
      ['position', 1],
      ['individual', 2],
    ] as const) {
      const tracker = new AckTracker(mode);
      const [r1, r2] = [rec(1), rec(2)];
      tracker.track([r1, r2]);
      tracker.release(r1);
      expect(tracker.oldestUnfinished()).toBe(expected);
    }
  });

  it('partitions interleaved in one batch keep separate lanes', () => {
    const tracker = new AckTracker('position');
    const records = Array.from({ length: 60 }, (_, i) => rec(Math.floor(i / 3), i % 3));
    tracker.track(records);
    for (const r of records) if (r.partition !== 1) tracker.complete(r);
    const out = tracker.drain();
    expect(out).toHaveLength(40);
    expect(out.every((r) => r.partition !== 1)).toBe(true);
    expect(tracker.size).toBe(20);
  });
});
