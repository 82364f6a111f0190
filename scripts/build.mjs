// Builds every workspace package in dependency order (common ← auth ← streaming/queue/realtime ← apps).
// Each package compiles with its own tsconfig.build.json and resolves sibling packages through
// node_modules/@databus/* (workspace links) to their built dist, exactly as an outside app would.
import { existsSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const order = ['libs/common', 'libs/auth', 'libs/streaming', 'libs/queue', 'libs/realtime', 'libs/testing', 'apps/demo'];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

for (const pkg of order) {
  const config = join(root, pkg, 'tsconfig.build.json');
  if (!existsSync(config)) continue;
  rmSync(join(root, pkg, 'dist'), { recursive: true, force: true });
  process.stdout.write(`build ${pkg}\n`);
  execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit', cwd: root });
}
