// Checks the dependency graph of the workspace packages (run by `npm run lint`):
//   common ← auth ← streaming / queue / realtime (realtime may also use streaming) ← apps
// For every lib and app it verifies that
//   - its package.json depends on other @databus packages only in that direction;
//   - such a dependency names the sibling's exact current version, and never a private package;
//   - every package its source imports at run time (not `import type`) is declared in dependencies or
//     peerDependencies, so that the packed tarball works in an outside app (the packaging smoke test);
//   - package-lock.json knows the package with the same version and dependencies (else `npm ci` fails in CI:
//     run `npm install` after changing a workspace package.json).
// ESLint checks the same direction for import statements; this checks what gets published.
// Inside the packages it verifies that
//   - no source file imports itself back through other files (an import cycle; `import type` counts);
//   - in a package with LAYERS, no file imports a folder of a higher layer.
// Usage: node scripts/check-deps.mjs [--root DIR]   (DIR defaults to this repository)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCycles, importGraph } from './lib/import-graph.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Which @databus packages each package may depend on. Anything not listed here may depend on nothing. */
export const ALLOWED = {
  '@databus/common': [],
  '@databus/auth': ['@databus/common'],
  '@databus/streaming': ['@databus/common', '@databus/auth'],
  '@databus/queue': ['@databus/common', '@databus/auth'],
  '@databus/realtime': ['@databus/common', '@databus/auth', '@databus/streaming'],
  '@databus/outbox': ['@databus/common', '@databus/streaming', '@databus/queue'],
  // Reads the other libs' handlers through common's messaging catalog, so it depends on none of them.
  '@databus/asyncapi': ['@databus/common'],
  // Dev-only helpers for the suite's own tests.
  '@databus/testing': ['@databus/common'],
};
const APP_ALLOWED = [
  '@databus/common',
  '@databus/auth',
  '@databus/streaming',
  '@databus/queue',
  '@databus/realtime',
  '@databus/outbox',
  '@databus/asyncapi',
];

/**
 * Layers inside a package, lowest first: each lists the entries directly under src/ (folders or files) of one
 * layer. A file may import its own layer and those below it, never one above. Every entry under src/ must be
 * in one layer. The lib README's "How it is built" explains the order.
 */
export const LAYERS = {
  '@databus/streaming': [
    ['errors', 'offset', 'streaming.constants.ts'],
    ['transport'],
    ['message', 'http'],
    ['transports'],
    ['account-server'],
    ['options'],
    ['runtime'],
    ['connection'],
    ['channel'],
    ['decorators'],
    ['discovery'],
    ['observability'],
    ['testing', 'streaming.module-definition.ts', 'streaming.module.ts', 'index.ts'],
  ],
};

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Reads every workspace package that exists: { dir, pkg }. */
function workspacePackages(root) {
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return rootPkg.workspaces
    .map((dir) => ({ dir, file: join(root, dir, 'package.json') }))
    .filter(({ file }) => existsSync(file))
    .map(({ dir, file }) => ({ dir, pkg: JSON.parse(readFileSync(file, 'utf8')) }));
}

/** Every .ts file under `dir`, except tests. */
function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(entry) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry) && !/\.d\.ts$/.test(entry))
      out.push(path);
  }
  return out;
}

/** Package names imported at run time by a TypeScript source (type-only imports are erased). */
export function runtimeImports(text) {
  const names = new Set();
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const patterns = [
    // An import/export clause holds names, braces, commas, `*` and `as`: never `=`, parentheses or backticks.
    /^\s*import\s+(?!type\s)[^'"`;=()]*?from\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /^\s*export\s+(?!type\s)[^'"`;=()]*?from\s*['"]([^'"]+)['"]/gm,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns)
    for (const match of code.matchAll(pattern)) {
      const spec = match[1];
      if (spec.startsWith('.') || spec.startsWith('/') || builtins.has(spec) || spec.startsWith('node:'))
        continue;
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  return names;
}

/** All problems found in the workspace at `root`, as strings. */
export function checkWorkspace(root = repoRoot) {
  const packages = workspacePackages(root);
  const lockFile = join(root, 'package-lock.json');
  const lock = existsSync(lockFile) ? JSON.parse(readFileSync(lockFile, 'utf8')) : undefined;
  const byName = new Map(packages.map((p) => [p.pkg.name, p]));
  const problems = [];
  for (const { dir, pkg } of packages) {
    const isApp = dir.startsWith('apps/');
    const allowed = isApp ? APP_ALLOWED : ALLOWED[pkg.name];
    if (!allowed) {
      problems.push(`${dir}: unknown package "${pkg.name}" (add it to scripts/check-deps.mjs ALLOWED)`);
      continue;
    }
    if (lock) problems.push(...lockProblems(dir, pkg, lock));
    const declared = { ...pkg.peerDependencies, ...pkg.dependencies };
    for (const [field, deps] of Object.entries({
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      optionalDependencies: pkg.optionalDependencies,
    }))
      for (const [name, range] of Object.entries(deps ?? {})) {
        if (!name.startsWith('@databus/')) continue;
        if (!allowed.includes(name)) {
          problems.push(
            `${dir}/package.json: ${field} "${name}" breaks the direction common ← auth ← streaming/queue/realtime ← apps`,
          );
          continue;
        }
        const target = byName.get(name);
        if (!target) problems.push(`${dir}/package.json: ${field} "${name}" is not a workspace package`);
        else if (target.pkg.private && !pkg.private)
          problems.push(`${dir}/package.json: ${field} "${name}" is private and cannot be published with it`);
        else if (!isApp && range !== target.pkg.version)
          problems.push(
            `${dir}/package.json: ${field} "${name}": "${range}" should be the exact version "${target.pkg.version}"`,
          );
      }
    const files = sourceFiles(join(root, dir, 'src'));
    problems.push(...structureProblems(root, join(root, dir, 'src'), files, LAYERS[pkg.name]));
    if (isApp) continue;
    for (const file of files)
      for (const name of runtimeImports(readFileSync(file, 'utf8'))) {
        if (name === pkg.name) continue;
        if (name.startsWith('@databus/') && !allowed.includes(name))
          problems.push(`${relative(root, file)}: imports "${name}" against the dependency direction`);
        else if (!(name in declared))
          problems.push(
            `${relative(root, file)}: imports "${name}", which ${dir}/package.json declares in neither dependencies nor peerDependencies`,
          );
      }
  }
  return problems;
}

/** Import cycles among `files`, and (with `layers`) imports that run up a layer, inside one package's `src`. */
function structureProblems(root, src, files, layers) {
  const graph = importGraph(files);
  const problems = importCycles(graph).map(
    (cycle) =>
      `import cycle: ${cycle.map((file) => relative(root, file)).join(' → ')} (each imports the next)`,
  );
  if (!layers) return problems;
  const layerOf = new Map(layers.flatMap((entries, level) => entries.map((entry) => [entry, level])));
  const entryOf = (file) => relative(src, file).split(/[\\/]/)[0];
  for (const [file, targets] of graph) {
    const from = layerOf.get(entryOf(file));
    if (from === undefined) {
      problems.push(
        `${relative(root, file)}: src/${entryOf(file)} is in no layer of scripts/check-deps.mjs LAYERS`,
      );
      continue;
    }
    for (const target of targets) {
      const to = layerOf.get(entryOf(target));
      if (to !== undefined && to > from)
        problems.push(
          `${relative(root, file)}: imports ${relative(root, target)}, which is up a layer (${entryOf(file)} is below ${entryOf(target)})`,
        );
    }
  }
  return problems;
}

/** Differences between a workspace package.json and its entry in package-lock.json. */
function lockProblems(dir, pkg, lock) {
  const entry = lock.packages?.[dir];
  const fix = 'run `npm install` at the root and commit package-lock.json';
  if (!entry) return [`package-lock.json has no entry for ${dir}: ${fix}`];
  const problems = [];
  if (entry.version !== pkg.version)
    problems.push(
      `package-lock.json has ${dir} at version ${entry.version}, package.json says ${pkg.version}: ${fix}`,
    );
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    const a = JSON.stringify(sorted(pkg[field]));
    const b = JSON.stringify(sorted(entry[field]));
    if (a !== b)
      problems.push(`package-lock.json has other ${field} for ${dir} than its package.json: ${fix}`);
  }
  return problems;
}

function sorted(record) {
  return Object.fromEntries(Object.entries(record ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rootArg = process.argv.indexOf('--root');
  const problems = checkWorkspace(rootArg > 0 ? process.argv[rootArg + 1] : repoRoot);
  if (problems.length) {
    console.error(`check-deps: ${problems.length} problem(s):`);
    for (const problem of problems) console.error(`  - ${problem}`);
    process.exit(1);
  }
  console.log('check-deps: dependency direction, declared dependencies, import cycles and layers OK');
}
