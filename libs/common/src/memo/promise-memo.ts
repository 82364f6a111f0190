/**
 * One promise per key, shared by every caller, that forgets a failure: `get(key, create)` gives the promise
 * a previous call made for `key` (pending or fulfilled), or the one `create()` makes now. A promise that
 * rejects is dropped (only if it is still the key's entry), so the next call creates it again instead of
 * failing for ever; callers still see the rejection. For things made once per key and connection: a stream
 * located or declared, a connection opened per dataset. `settled(key)` gives a fulfilled entry's value at
 * once, for a hot path that need not wait.
 */
export class PromiseMemo<K, V> {
  private readonly entries = new Map<K, Promise<V>>();
  private readonly fulfilled = new Map<K, V>();

  get(key: K, create: () => Promise<V>): Promise<V> {
    const held = this.entries.get(key);
    if (held) return held;
    const made = create();
    this.entries.set(key, made);
    made.then(
      (value) => {
        if (this.entries.get(key) === made) this.fulfilled.set(key, value);
      },
      () => {
        if (this.entries.get(key) === made) this.entries.delete(key);
      },
    );
    return made;
  }

  /** The value of `key`'s entry once it is fulfilled (and was not forgotten since), else undefined. */
  settled(key: K): V | undefined {
    return this.fulfilled.get(key);
  }

  /** Forgets `key`: the next `get` creates it again. */
  delete(key: K): void {
    this.entries.delete(key);
    this.fulfilled.delete(key);
  }

  /** Forgets every key. */
  clear(): void {
    this.entries.clear();
    this.fulfilled.clear();
  }

  /** The promises held now (pending or fulfilled). */
  values(): Promise<V>[] {
    return [...this.entries.values()];
  }
}
