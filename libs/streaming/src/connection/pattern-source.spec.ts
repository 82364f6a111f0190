import { sleep, TemporaryError } from '@databus/common';
import { Offset } from '../offset/offset';
import { RecordStream } from '../runtime/record-source';
import { parseDatasetPattern } from '../transport/dataset-pattern';
import { defineCapabilities } from '../transport/transport-capabilities';
import { StreamingTransport, SubscriptionSpec } from '../transport/transport.interface';
import { openListedPatternSource, PatternSourceContext } from './pattern-source';

/** Resolves once `condition` holds; fails naming `what` after 5 s (a bound, not a speed assertion). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5_000; !condition(); await sleep(5))
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
}

const pattern = parseDatasetPattern({ pattern: 'p.*' }, 'pattern');
const spec: SubscriptionSpec = { dataset: 'p.*', start: Offset.LATEST, prefetch: 10, groupExpiryMs: 60_000 };

/** A source that never has records (the tests look at which datasets were opened, and how). */
function idleSource(closed: string[], dataset: string): RecordStream {
  return {
    inFlight: 0,
    resumedAt: undefined,
    isClosed: false,
    open: async () => undefined,
    fetch: async () => [],
    complete: () => undefined,
    release: () => undefined,
    nack: async () => undefined,
    flush: async () => undefined,
    seekTarget: (value) => value as Offset,
    seek: async () => undefined,
    close: async () => void closed.push(dataset),
  };
}

function setup(transport: Partial<StreamingTransport>, failOpening: string[] = []) {
  const opened: SubscriptionSpec[] = [];
  const closed: string[] = [];
  const logs: string[] = [];
  const warnings: string[] = [];
  const context: PatternSourceContext = {
    transport: { name: 'memory', capabilities: defineCapabilities(), ...transport } as StreamingTransport,
    logger: {
      log: (m) => void logs.push(m),
      warn: (m) => void warnings.push(m),
      error: () => undefined,
      debug: () => undefined,
    },
    refreshMs: 10,
    openDataset: async (s) => {
      if (failOpening.includes(s.dataset)) throw new TemporaryError(`cannot open ${s.dataset}`);
      opened.push(s);
      return idleSource(closed, s.dataset);
    },
  };
  return { context, opened, closed, logs, warnings };
}

describe('openListedPatternSource', () => {
  it('joins the datasets later listings find, from their beginning when it started at the latest', async () => {
    const existing = ['p.a', 'q.x', 'p.a.dlq'];
    const { context, opened, logs } = setup({ listDatasets: async () => [...existing] });
    const source = await openListedPatternSource(context, spec, pattern);
    try {
      expect(opened.map((s) => [s.dataset, s.start.kind])).toEqual([['p.a', 'latest']]);
      expect(logs).toEqual([
        'Pattern "p.*" matched 1 dataset(s): p.a; datasets created later are picked up within 10 ms',
      ]);
      existing.push('p.b');
      await until(() => opened.length === 2, 'p.b opened');
      expect(opened[1]).toMatchObject({ dataset: 'p.b', start: Offset.BEGIN, prefetch: 10 });
      expect(logs).toContain('Pattern "p.*": subscribed to new dataset "p.b"');
    } finally {
      await source.close();
    }
  });

  it('waits for a first dataset when nothing matches, saying so in one line', async () => {
    const existing: string[] = [];
    const { context, opened, logs } = setup({ listDatasets: async () => [...existing] });
    const source = await openListedPatternSource(context, spec, pattern);
    try {
      expect(logs).toEqual([
        'Pattern "p.*" matches no dataset yet; matching datasets are subscribed as they appear (picked up within 10 ms)',
      ]);
      existing.push('p.c');
      await until(() => opened.length === 1, 'p.c opened');
    } finally {
      await source.close();
    }
  });

  it('logs one warning per failing streak of listings, and goes on', async () => {
    let calls = 0;
    const { context, opened, warnings, logs } = setup({
      listDatasets: async () => {
        calls++;
        if (calls >= 2 && calls <= 4) throw new TemporaryError('broker away');
        return calls >= 5 ? ['p.a', 'p.b'] : ['p.a'];
      },
    });
    const source = await openListedPatternSource(context, spec, pattern);
    try {
      await until(() => opened.length === 2, 'p.b opened');
      expect(warnings).toEqual([
        'Pattern "p.*": listing the datasets failed (broker away); trying again every 10 ms',
      ]);
      expect(logs).toContain('Pattern "p.*": listing the datasets works again');
    } finally {
      await source.close();
    }
  });

  it('fails when a dataset that exists at the start cannot be opened, closing the others', async () => {
    const { context, closed } = setup({ listDatasets: async () => ['p.a', 'p.b'] }, ['p.b']);
    await expect(openListedPatternSource(context, spec, pattern)).rejects.toThrow('cannot open p.b');
    expect(closed).toEqual(['p.a']);
  });

  it('keeps trying a dataset created later whose subscription fails to open', async () => {
    const existing = ['p.a'];
    const failing = ['p.b'];
    const { context, opened, warnings } = setup({ listDatasets: async () => [...existing] }, failing);
    const source = await openListedPatternSource(context, spec, pattern);
    try {
      existing.push('p.b');
      await until(() => warnings.length > 0, 'a warning');
      expect(warnings[0]).toBe(
        'Pattern "p.*": could not subscribe to new dataset "p.b" (cannot open p.b); trying again later',
      );
      failing.length = 0;
      await until(() => opened.length === 2, 'p.b opened');
    } finally {
      await source.close();
    }
  });

  it('with watchDatasets, lists once and joins what the watch tells of (at once)', async () => {
    let listings = 0;
    let tell: (dataset: string) => void = () => undefined;
    let unwatched = false;
    const { context, opened, closed, logs } = setup({
      listDatasets: async () => {
        listings++;
        tell('p.early'); // told while the first listing runs: joined after it
        return ['p.a'];
      },
      watchDatasets: (onDataset) => {
        tell = onDataset;
        return () => void (unwatched = true);
      },
    });
    const source = await openListedPatternSource(context, spec, pattern);
    tell('q.other');
    tell('p.b');
    await until(() => opened.length === 3, 'three opened');
    expect(opened.map((s) => s.dataset).sort()).toEqual(['p.a', 'p.b', 'p.early']);
    expect(logs[0]).toBe(
      'Pattern "p.*" matched 1 dataset(s): p.a; datasets created later are picked up at once',
    );
    expect(listings).toBe(1);
    await source.close();
    expect(unwatched).toBe(true);
    expect(closed.sort()).toEqual(['p.a', 'p.b', 'p.early']);
  });
});
