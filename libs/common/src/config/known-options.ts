import { ConfigurationError } from '../errors';

/**
 * Fails with a `ConfigurationError` naming the first key of `options` that is not in `known`, so that a typo
 * (`prefech: 10`, `tokenFeild`) fails bootstrap instead of being ignored. The error names the option as
 * `<prefix>.<key>` (or `<prefix>: <key>` when `prefix` ends with `:`), suggests the closest known name and
 * lists the others. Keys whose value is `undefined` are checked too: a misspelt key is wrong whatever it holds.
 * @param options the options object as the user gave it (anything not an object is left to other checks)
 * @param known every accepted key
 * @param prefix where the options live, e.g. `TaskQueueModule` or `@TaskHandler('stats') on Worker.run:`
 */
export function assertKnownOptions(options: unknown, known: Iterable<string>, prefix: string): void {
  if (!options || typeof options !== 'object' || Array.isArray(options)) return;
  const names = [...known];
  const accepted = new Set(names);
  for (const key of Object.keys(options)) {
    if (accepted.has(key)) continue;
    const option = prefix.endsWith(':') ? `${prefix} ${key}` : `${prefix}.${key}`;
    const closest = closestName(key, names);
    throw new ConfigurationError(
      option,
      `${closest ? `"${closest}" (a typo?) or another` : 'a'} known option (${names.join(', ')})`,
      { received: 'an unknown option' },
    );
  }
}

/** The known name within two edits of `key` (case-insensitive), if any. */
function closestName(key: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance with adjacent transpositions (`feild` → `field` is one edit). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...new Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}
