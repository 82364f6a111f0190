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
// Usage: node scripts/check-deps.mjs [--root DIR]   (DIR defaults to this repository)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Which @databus packages each package may depend on. Anything not listed here may depend on nothing. */
export const ALLOWED = {
  '@databus/common': [],
  '@databus/auth': ['@databus/common'],
  '@databus/streaming': ['@databus/common', '@databus/auth'],
  '@databus/queue': ['@databus/common', '@databus/auth'],
  '@databus/realtime': ['@databus/common', '@databus/auth', '@databus/streaming'],
  // Dev-only helpers for the suite's own tests.
  '@databus/testing': ['@databus/common'],
};
const APP_ALLOWED = [
  '@databus/common',
  '@databus/auth',
  '@databus/streaming',
  '@databus/queue',
  '@databus/realtime',
];

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
    if (isApp) continue;
    for (const file of sourceFiles(join(root, dir, 'src')))
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
  console.log('check-deps: dependency direction and declared dependencies OK');
}
