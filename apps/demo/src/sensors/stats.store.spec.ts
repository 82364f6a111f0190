import { PENDING_STATS_TTL_MS, StatsStore } from './stats.store';

describe('StatsStore', () => {
  const stats = { count: 1, mean: 1, min: 1, max: 1, stddev: 0, generated: '2026-01-01T00:00:00.000Z' };

  it('asks for one task per sensor until the stats arrive or the mark expires', () => {
    const store = new StatsStore();
    expect(store.markPending('a', 1_000)).toBe(true);
    expect(store.markPending('a', 2_000)).toBe(false);
    expect(store.markPending('b', 2_000)).toBe(true);
    expect(store.markPending('a', 1_000 + PENDING_STATS_TTL_MS)).toBe(true);
    store.set('a', stats);
    expect(store.markPending('a', 1_001 + PENDING_STATS_TTL_MS)).toBe(true);
    store.clearPending('a');
    expect(store.markPending('a', 1_002 + PENDING_STATS_TTL_MS)).toBe(true);
  });

  it('stores, replaces and deletes stats', () => {
    const store = new StatsStore();
    expect(store.get('a')).toBeUndefined();
    store.set('a', stats);
    store.set('a', { ...stats, count: 2 });
    expect(store.get('a')?.count).toBe(2);
    expect(store.delete('a')).toBe(true);
    expect(store.delete('a')).toBe(false);
  });
});
