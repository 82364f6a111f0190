// The other supported Node lines for the test runner: installs Node 22 and Node 24 binaries from the npm
// registry's `node-<platform>-<arch>` packages (the same registry as every other dependency, no other download)
// into the git-ignored .cache/node/<version>/, and prints their paths, one per line.
//   node scripts/node-lines.mjs             install (once; later runs reuse .cache) and print the binaries
// CI passes them to `npm test` as TEST_EXTRA_NODES (colon-separated), which runs the unit tests, the
// memory-transport suites and the packaging smoke test on each of them too (scripts/test.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './lib/pack.mjs';

/** The versions tested besides the machine's own Node: the newest 22.x and 24.x when this was written. */
const NODE_LINES = ['22.23.5', '24.22.3'];

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pkg = `node-${process.platform}-${process.arch}`;

/** Path of the `node` binary of `version`, installing it first when .cache does not have it. */
function nodeBinary(version) {
  const dir = join(root, '.cache', 'node', version);
  const bin = join(dir, 'package', 'bin', 'node');
  if (versionOf(bin) === `v${version}`) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'databus-node-'));
  try {
    const out = execFileSync(npm, ['pack', `${pkg}@${version}`, '--pack-destination', tmp, '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tarball = join(tmp, out.trim().split('\n').pop());
    execFileSync('tar', ['-xzf', tarball, '-C', dir, 'package/bin/node'], { stdio: 'inherit' });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const got = versionOf(bin);
  if (got !== `v${version}`) throw new Error(`${pkg}@${version}: ${bin} reports ${got ?? 'nothing'}`);
  return bin;
}

function versionOf(bin) {
  if (!existsSync(bin)) return undefined;
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

for (const version of NODE_LINES) console.log(nodeBinary(version));
