import { Offset } from '../offset/offset';
import { IncomingRecord } from '../transport/transport-record.interface';
import { MergedRecordSource } from './merged-record-source';
import { RecordStream } from './record-source';

const rec = (dataset: string, sequence: number): IncomingRecord => ({
  dataset,
  headers: {},
  data: Buffer.alloc(0),
  sequence,
  timestamp: new Date(),
  redelivered: false,
});

/** A source that hands out `queued` at once, or waits until aborted (then resolves with none). */
function fakeSource(dataset: string, queued: IncomingRecord[] = []) {
  const completed: number[] = [];
  const seeks: unknown[] = [];
  const source: RecordStream = {
    inFlight: 0,
    resumedAt: undefined,
    isClosed: false,
    open: async () => undefined,
    fetch: (max, _wait, signal) =>
      queued.length
        ? Promise.resolve(queued.splice(0, max))
        : new Promise((resolve) => signal?.addEventListener('abort', () => resolve([]), { once: true })),
    complete: (r) => void completed.push(r.sequence),
    release: () => undefined,
    nack: async () => undefined,
    flush: async () => undefined,
    seekTarget: (value) => value as Offset,
    seek: async (value) => {
      seeks.push(value);
      queued.length = 0; // a seek drops what the transport held
    },
    close: async () => undefined,
  };
  return { source, completed, seeks, queued };
}

describe('MergedRecordSource', () => {
  it('returns the records of whichever dataset has some, ending the wait of the others', async () => {
    const a = fakeSource('a');
    const b = fakeSource('b', [rec('b', 1), rec('b', 2)]);
    const merged = new MergedRecordSource(
      new Map([
        ['a', a.source],
        ['b', b.source],
      ]),
    );
    expect((await merged.fetch(10, 60_000)).map((r) => `${r.dataset}#${r.sequence}`)).toEqual(['b#1', 'b#2']);
  });

  it('keeps records that arrive together beyond max for the next fetch, and routes completion by dataset', async () => {
    const a = fakeSource('a', [rec('a', 1), rec('a', 2)]);
    const b = fakeSource('b', [rec('b', 7)]);
    const merged = new MergedRecordSource(
      new Map([
        ['a', a.source],
        ['b', b.source],
      ]),
    );
    const first = await merged.fetch(2, 0);
    const second = await merged.fetch(2, 0);
    expect([...first, ...second].map((r) => `${r.dataset}#${r.sequence}`).sort()).toEqual([
      'a#1',
      'a#2',
      'b#7',
    ]);
    for (const r of [...first, ...second]) merged.complete(r);
    expect(a.completed).toEqual([1, 2]);
    expect(b.completed).toEqual([7]);
  });

  it('seeks every dataset and drops what was fetched but not handed out', async () => {
    const a = fakeSource('a', [rec('a', 1), rec('a', 2)]);
    const b = fakeSource('b', [rec('b', 3)]);
    const merged = new MergedRecordSource(
      new Map([
        ['a', a.source],
        ['b', b.source],
      ]),
    );
    expect(await merged.fetch(1, 0)).toHaveLength(1); // the other two wait in the merged source
    await merged.seek(Offset.BEGIN);
    expect(a.seeks).toEqual([Offset.BEGIN]);
    expect(b.seeks).toEqual([Offset.BEGIN]);
    a.queued.push(rec('a', 9));
    expect((await merged.fetch(5, 0)).map((r) => r.sequence)).toEqual([9]);
  });

  it('with no dataset yet, a waiting fetch returns the records of the first dataset that joins', async () => {
    const merged = new MergedRecordSource();
    const waiting = merged.fetch(10, 60_000);
    const a = fakeSource('a', [rec('a', 1)]);
    expect(await merged.add('a', a.source)).toBe(true);
    expect((await waiting).map((r) => `${r.dataset}#${r.sequence}`)).toEqual(['a#1']);
    expect(merged.datasets).toEqual(['a']);
  });

  it('a fetch waiting on its datasets asks a dataset that joins meanwhile too', async () => {
    const a = fakeSource('a');
    const merged = new MergedRecordSource(new Map([['a', a.source]]));
    const waiting = merged.fetch(10, 60_000);
    await merged.add('b', fakeSource('b', [rec('b', 4)]).source);
    expect((await waiting).map((r) => `${r.dataset}#${r.sequence}`)).toEqual(['b#4']);
  });

  it('closes a source offered twice or after close instead of adding it, and runs onClose once', async () => {
    let closedHooks = 0;
    const merged = new MergedRecordSource(new Map(), { onClose: () => closedHooks++ });
    const closes: string[] = [];
    const closing = (dataset: string): RecordStream => ({
      ...fakeSource(dataset).source,
      close: async () => void closes.push(dataset),
    });
    expect(await merged.add('a', closing('a'))).toBe(true);
    expect(await merged.add('a', closing('a-again'))).toBe(false);
    await merged.close();
    await merged.close();
    expect(await merged.add('b', closing('b'))).toBe(false);
    expect(closes.sort()).toEqual(['a', 'a-again', 'b']);
    expect(closedHooks).toBe(1);
  });

  it('checks a seek target with the hook while no dataset has joined', () => {
    const merged = new MergedRecordSource(new Map(), {
      seekTarget: () => {
        throw new Error('no seek here');
      },
    });
    expect(() => merged.seekTarget(Offset.BEGIN, 'seek: offset')).toThrow('no seek here');
  });
});
