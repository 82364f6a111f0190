// Builds the workspace packages in dependency order (common ← auth ← streaming/queue/realtime ← apps).
// Each package compiles with its own tsconfig.build.json and resolves sibling packages through
// node_modules/@databus/* (workspace links) to their built dist, exactly as an outside app would.
//
// Incremental: a package whose inputs (its src/, package.json, tsconfig.build.json, tsconfig.base.json, the
// TypeScript version and the builds of the workspace packages it depends on) have the same fingerprint as at its
// last successful build, and whose dist entry point still exists, is not compiled again. The fingerprints live
// in node_modules/.cache/databus-build/. `--force` rebuilds everything.
//
//   node scripts/build.mjs                          every package
//   node scripts/build.mjs libs/streaming           that package and the workspace packages it depends on
//   node scripts/build.mjs --force libs/common      rebuild even when nothing changed
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const order = [
  'libs/common',
  'libs/auth',
  'libs/streaming',
  'libs/queue',
  'libs/realtime',
  'libs/outbox',
  'libs/asyncapi',
  'libs/testing',
  'apps/demo',
];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const stampDir = join(root, 'node_modules', '.cache', 'databus-build');
const args = process.argv.slice(2);
const force = args.includes('--force');
const only = args.filter((a) => !a.startsWith('--')).map((p) => p.replace(/\/+$/, ''));
const unknown = only.filter((p) => !order.includes(p));
if (unknown.length) {
  console.error(`build: unknown package(s) ${unknown.join(', ')}; known: ${order.join(', ')}`);
  process.exit(2);
}

const manifests = new Map(order.map((pkg) => [pkg, readJson(join(root, pkg, 'package.json'))]));
const byName = new Map(order.map((pkg) => [manifests.get(pkg).name, pkg]));
const wanted = only.length ? closure(only) : new Set(order);
const fingerprints = new Map();
const t0 = Date.now();
const built = [];

for (const pkg of order) {
  if (!wanted.has(pkg)) continue;
  const config = join(root, pkg, 'tsconfig.build.json');
  if (!existsSync(config)) continue;
  const fingerprint = fingerprintOf(pkg);
  fingerprints.set(pkg, fingerprint);
  const stamp = join(stampDir, `${pkg.replace('/', '__')}.sha256`);
  const main = join(root, pkg, manifests.get(pkg).main ?? 'dist/index.js');
  if (!force && existsSync(main) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint)
    continue;
  rmSync(stamp, { force: true });
  rmSync(join(root, pkg, 'dist'), { recursive: true, force: true });
  process.stdout.write(`build ${pkg}\n`);
  const result = spawnSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error(`build: ${pkg} failed to compile (tsc exit code ${result.status ?? result.signal})`);
    process.exit(1);
  }
  mkdirSync(stampDir, { recursive: true });
  writeFileSync(stamp, fingerprint);
  built.push(pkg);
}
const seconds = ((Date.now() - t0) / 1000).toFixed(1);
if (built.length === 0) process.stdout.write(`build: ${wanted.size} package(s) up to date (${seconds} s)\n`);
else process.stdout.write(`build: compiled ${built.length} of ${wanted.size} package(s) in ${seconds} s\n`);

/** The packages asked for plus every workspace package they depend on, transitively. */
function closure(pkgs) {
  const out = new Set();
  const visit = (pkg) => {
    if (out.has(pkg)) return;
    out.add(pkg);
    for (const dep of workspaceDeps(pkg)) visit(dep);
  };
  pkgs.forEach(visit);
  return out;
}

/** Workspace packages (by folder) that `pkg` declares in any dependency field. */
function workspaceDeps(pkg) {
  const m = manifests.get(pkg);
  const names = Object.keys({ ...m.dependencies, ...m.peerDependencies, ...m.devDependencies });
  return names.map((name) => byName.get(name)).filter(Boolean);
}

/** Hash of everything the package's build output depends on (dependencies come earlier in `order`). */
function fingerprintOf(pkg) {
  const hash = createHash('sha256');
  hash.update(`typescript ${readJson(join(root, 'node_modules', 'typescript', 'package.json')).version}\n`);
  const inputs = [
    join(root, 'tsconfig.base.json'),
    join(root, pkg, 'package.json'),
    join(root, pkg, 'tsconfig.build.json'),
    ...files(join(root, pkg, 'src')),
  ];
  for (const file of inputs) {
    hash.update(`${relative(root, file)}\n`);
    hash.update(readFileSync(file));
  }
  for (const dep of workspaceDeps(pkg))
    hash.update(`${dep} ${fingerprints.get(dep) ?? fingerprintOf(dep)}\n`);
  return hash.digest('hex');
}

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}
