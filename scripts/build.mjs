// Builds every workspace package in dependency order (common ← auth ← streaming/queue/realtime ← apps).
// Each package compiles with its own tsconfig.build.json and resolves sibling packages through
// node_modules/@databus/* (workspace links) to their built dist, exactly as an outside app would.
// `node scripts/build.mjs libs/common libs/streaming` builds just those (still in dependency order).
import { existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const order = [
  'libs/common',
  'libs/auth',
  'libs/streaming',
  'libs/queue',
  'libs/realtime',
  'libs/testing',
  'apps/demo',
];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const only = process.argv.slice(2).map((p) => p.replace(/\/+$/, ''));
const unknown = only.filter((p) => !order.includes(p));
if (unknown.length) {
  console.error(`build: unknown package(s) ${unknown.join(', ')}; known: ${order.join(', ')}`);
  process.exit(2);
}

for (const pkg of order) {
  if (only.length && !only.includes(pkg)) continue;
  const config = join(root, pkg, 'tsconfig.build.json');
  if (!existsSync(config)) continue;
  rmSync(join(root, pkg, 'dist'), { recursive: true, force: true });
  process.stdout.write(`build ${pkg}\n`);
  const result = spawnSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error(`build: ${pkg} failed to compile (tsc exit code ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
