// `npm pack` of the publishable libs, with the checks every tarball must pass. Used by `npm run pack`
// (scripts/pack.mjs) and by the packaging smoke test (scripts/pack-smoke.mjs).
// Each lib builds itself on `prepack` (scripts/build.mjs, incremental), so a fresh clone packs real packages.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokenLinks } from './markdown-links.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The published libs, in dependency order. */
export const LIB_NAMES = ['common', 'auth', 'streaming', 'queue', 'realtime', 'outbox', 'asyncapi'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The libs (all, or those named in `only`) that exist and are not private: `{ name, dir, pkg }`. */
export function publishableLibs(only) {
  const out = [];
  for (const name of LIB_NAMES) {
    if (only && !only.includes(name)) continue;
    const dir = join(root, 'libs', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!pkg.private) out.push({ name, dir, pkg });
  }
  return out;
}

/**
 * Packs one lib into `destination` (its `prepack` builds it first) and checks the tarball: package.json, the
 * README and the built entry points are in it, no sources or tests are, and every relative link of every packed
 * Markdown file resolves to a packed file. Returns `{ name, file, files, size }`.
 */
export function packLib({ dir, pkg }, destination) {
  mkdirSync(destination, { recursive: true });
  const result = spawnSync(npm, ['pack', '--json', '--pack-destination', destination], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out = result.stdout ?? '';
  // The prepack build writes to stdout too (tsc's errors among it): show all of it when packing fails.
  if (result.status !== 0)
    throw new Error(`npm pack of ${pkg.name} failed (exit code ${result.status}):\n${out}`);
  // Lifecycle script output may come first: the JSON report is the text from the line that opens with `[`.
  const start = out.startsWith('[') ? 0 : out.indexOf('\n[') + 1;
  const [info] = JSON.parse(out.slice(start));
  const files = info.files.map((f) => f.path);
  const required = ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts'];
  const missing = required.filter((f) => !files.includes(f));
  if (missing.length) throw new Error(`${pkg.name} tarball lacks ${missing.join(', ')}`);
  const stray = files.filter((f) => /\.(spec|int-spec|e2e-spec)\.|(^|\/)src\/|tsbuildinfo$|\.tgz$/.test(f));
  if (stray.length)
    throw new Error(`${pkg.name} tarball holds files that are not for users: ${stray.join(', ')}`);
  const packed = new Set(files);
  const dirs = new Set(files.flatMap((f) => ancestors(f)));
  const broken = files
    .filter((f) => f.endsWith('.md'))
    .flatMap((f) => brokenLinks(f, readFileSync(join(dir, f), 'utf8'), (p) => packed.has(p) || dirs.has(p)));
  if (broken.length)
    throw new Error(`${pkg.name} tarball: links to files that are not in it:\n  ${broken.join('\n  ')}`);
  return { name: pkg.name, file: join(destination, info.filename), files, size: info.size };
}

function ancestors(file) {
  const out = [];
  for (let d = posix.dirname(file); d !== '.'; d = posix.dirname(d)) out.push(d);
  return out;
}
