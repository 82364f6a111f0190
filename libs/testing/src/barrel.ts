import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const NAMED = /export\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g;
const STAR = /export\s+(?:type\s+)?\*\s+from\s+'([^']+)'/g;
const DECLARED =
  /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:interface|type|class|function|const|let|enum)\s+([A-Za-z_$][\w$]*)/gm;

/**
 * Every name a barrel (`index.ts`) exports, values and types alike, sorted: the names listed in its
 * `export { … } from` and `export type { … } from` lines, plus those of each file or folder it `export *`s or
 * `export type *`s (a plain module's own `export interface` / `class` / `function` … declarations count).
 * Read from the source text, so a type-only export that leaks back into a barrel fails a pinned list too.
 */
export function barrelExports(indexFile: string): string[] {
  const text = readFileSync(indexFile, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  const names = new Set<string>();
  for (const [, list] of text.matchAll(NAMED))
    for (const item of list
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean))
      names.add(
        item
          .split(/\s+as\s+/)
          .pop()!
          .replace(/^type\s+/, ''),
      );
  for (const [, name] of text.matchAll(DECLARED)) names.add(name);
  for (const [, from] of text.matchAll(STAR)) {
    const base = resolve(dirname(indexFile), from);
    const file = existsSync(`${base}.ts`) ? `${base}.ts` : `${base}/index.ts`;
    for (const name of barrelExports(file)) names.add(name);
  }
  return [...names].sort();
}
