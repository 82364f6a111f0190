// `npm test`: every test of the suite, in order, then one summary line.
//   1. jest unit        (*.spec.ts beside the code)
//   2. jest integration (*.int-spec.ts, real brokers on loopback; one file at a time)
//   3. jest e2e         (*.e2e-spec.ts of the apps; one file at a time)
//   4. jest cluster     (*.cluster-spec.ts: broker clusters the tests start themselves; one file at a time,
//                        under /tmp/databus-cluster.lock, stopped and failed after TEST_CLUSTER_BUDGET_S = 240 s)
//   5. packaging smoke  (`npm run test:pack`: the packed tarballs in a throwaway Nest app, counted as one test)
// Every step runs even when an earlier one failed, so one run reports everything. The LAST line printed is
// exactly `N passed, N failed, N skipped` (CI reads it); skipped tests are listed by name above it (Kafka suites
// without KAFKA_BROKERS, for instance). The exit code is non-zero when anything failed.
//
// Options (environment): TEST_PROJECTS=unit,integration (subset), TEST_SKIP_PACK=1 (no packaging smoke),
// TEST_EXIT_GRACE_MS (how long jest may linger after writing its results before it counts as hung: 30 s),
// TEST_EXTRA_NODES=/path/node22:/path/node24 (other Node binaries, from `node scripts/node-lines.mjs`): on each,
// the unit tests and the memory-transport suites run too, alongside the broker tests (their output is shown
// when they end), and the packaging smoke test runs its apps on each as well (TEST_PROJECTS=extra: just those).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const { summarizeJestResult } = createRequire(import.meta.url)('./jest-results.cjs');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const graceMs = Number(process.env.TEST_EXIT_GRACE_MS ?? 30_000);

/** The jest projects in the order they run, with the flags each needs. */
const projects = [
  { name: 'unit', args: ['--maxWorkers=2'] },
  // Broker tests may restart a broker or hold exclusive names: never two files at once.
  { name: 'integration', args: ['--runInBand'] },
  { name: 'e2e', args: ['--runInBand'] },
  // Each file starts and kills processes of its own: one at a time, one checkout at a time, bounded.
  {
    name: 'cluster',
    args: ['--runInBand'],
    lock: '/tmp/databus-cluster.lock',
    budgetMs: Number(process.env.TEST_CLUSTER_BUDGET_S ?? 240) * 1000,
  },
];

/** The suites that run on every TEST_EXTRA_NODES binary: no broker, so they can run beside the broker tests. */
const EXTRA_NODE_SUITES = [
  { name: 'unit', args: ['--selectProjects', 'unit', '--maxWorkers=1'] },
  {
    name: 'memory',
    args: [
      '--selectProjects',
      'integration',
      '--runInBand',
      '--runTestsByPath',
      'libs/streaming/test/integration/memory.int-spec.ts',
      'libs/streaming/test/integration/memory-smoke.int-spec.ts',
      'libs/queue/test/memory.int-spec.ts',
    ],
  },
];
const extraNodes = (process.env.TEST_EXTRA_NODES ?? '').split(':').filter(Boolean);

const selected = process.env.TEST_PROJECTS?.split(',').map((s) => s.trim()) ?? projects.map((p) => p.name);
const workDir = mkdtempSync(join(tmpdir(), 'databus-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const rows = [];
const problems = [];
const skippedTitles = [];
const failedTitles = [];

try {
  // The other Node lines run beside the broker tests (which mostly wait on the brokers).
  const others =
    extraNodes.length && (!process.env.TEST_PROJECTS || selected.includes('extra'))
      ? runOnExtraNodes()
      : undefined;
  for (const project of projects) {
    if (!selected.includes(project.name)) continue;
    await runJestProject(project);
  }
  if (others) await showExtraNodeRuns(await others);
  if (process.env.TEST_SKIP_PACK !== '1' && !process.env.TEST_PROJECTS) await runPackSmoke();
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

printSummary();
process.exitCode = totals.failed > 0 ? 1 : 0;

/** Runs one jest project, reads its JSON results and adds them to the totals. */
async function runJestProject(project) {
  header(`jest: ${project.name}`);
  const result = await runJest(
    process.execPath,
    project.name,
    ['--selectProjects', project.name, ...project.args],
    undefined,
    project,
  );
  countJestRun(result);
}

/**
 * Runs jest with `node`; its output goes to the terminal, or to `log` when given. `lock` (a file) runs it under
 * `flock`; `budgetMs` stops it (and counts a failure) when it runs longer.
 */
async function runJest(node, label, args, log, { lock, budgetMs } = {}) {
  const outputFile = join(workDir, `${label.replace(/[^a-z0-9.@-]/gi, '_')}.json`);
  const jestArgs = [
    jestBin,
    '--passWithNoTests',
    '--json',
    '--outputFile',
    outputFile,
    ...(process.env.CI ? ['--ci'] : []),
    ...args,
  ];
  const [command, commandArgs] = lock ? ['flock', [lock, node, ...jestArgs]] : [node, jestArgs];
  const { code, hung, overBudget } = await run(command, commandArgs, {
    watchFile: outputFile,
    log,
    budgetMs,
  });
  if (overBudget) fail(`${label}: still running after its budget of ${budgetMs / 1000} s; it was stopped`);
  return { label, outputFile, code, hung };
}

/** Adds one jest run's results to the totals (and its problems to the report). */
function countJestRun({ label, outputFile, code, hung }) {
  const project = { name: label };
  if (!existsSync(outputFile)) {
    fail(`${project.name}: jest exited with code ${code} before writing results`);
    rows.push([project.name, 0, 1, 0, 'no results']);
    return;
  }
  const summary = summarizeJestResult(JSON.parse(readFileSync(outputFile, 'utf8')), project.name, root);
  const { passed, failed, skipped } = summary;
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  problems.push(...summary.brokenSuites);
  skippedTitles.push(...summary.skippedTitles);
  failedTitles.push(...summary.failedTitles);
  if (hung)
    fail(
      `${project.name}: jest did not exit within ${graceMs / 1000} s of finishing (an open handle: ` +
        `run "npx jest --selectProjects ${project.name} --detectOpenHandles" to find it); it was stopped`,
    );
  else if (code !== 0 && failed === 0)
    fail(`${project.name}: jest exited with code ${code} without a failed test (see its output above)`);
  rows.push([project.name, passed, failed, skipped, `${summary.files} files`]);
}

/** The EXTRA_NODE_SUITES on every TEST_EXTRA_NODES binary, one after the other, each into its own log file. */
async function runOnExtraNodes() {
  const runs = [];
  for (const node of extraNodes) {
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() || node;
    for (const suite of EXTRA_NODE_SUITES) {
      const label = `${suite.name}@${version.replace(/^v/, '')}`;
      const log = join(workDir, `${label}.log`);
      runs.push({ ...(await runJest(node, label, suite.args, log)), log });
    }
  }
  return runs;
}

/** Prints the logs of the runs on the other Node lines and counts their results. */
async function showExtraNodeRuns(runs) {
  for (const r of runs) {
    header(`jest: ${r.label} (ran beside the broker tests)`);
    process.stdout.write(existsSync(r.log) ? readFileSync(r.log, 'utf8') : '(no output)\n');
    countJestRun(r);
  }
}

/** Runs the packaging smoke test (its apps on the other Node lines too); it counts as one test. */
async function runPackSmoke() {
  header('packaging smoke (npm run test:pack)');
  const extra = extraNodes.length ? [`--also-node=${extraNodes.join(':')}`] : [];
  const { code } = await run(process.execPath, [join(root, 'scripts', 'pack-smoke.mjs'), ...extra], {});
  const ok = code === 0;
  totals[ok ? 'passed' : 'failed'] += 1;
  if (!ok) problems.push(`packaging smoke failed (exit code ${code})`);
  rows.push(['pack-smoke', ok ? 1 : 0, ok ? 0 : 1, 0, '']);
}

/**
 * Spawns a command with inherited output in its own process group. With `watchFile`, once that file
 * exists the command has `graceMs` to exit; past that it is stopped and reported as hung. With `budgetMs`, it
 * is stopped once it has run that long (`overBudget`).
 */
function run(command, args, { watchFile, log, budgetMs }) {
  return new Promise((resolve) => {
    const out = log ? openSync(log, 'w') : undefined;
    const stdio = out === undefined ? 'inherit' : ['ignore', out, out];
    const child = spawn(command, args, { cwd: root, stdio, detached: true });
    if (out !== undefined) closeSync(out);
    let hung = false;
    let overBudget = false;
    let deadline;
    const budget =
      budgetMs === undefined
        ? undefined
        : setTimeout(() => {
            overBudget = true;
            kill(child, 'SIGTERM');
            setTimeout(() => kill(child, 'SIGKILL'), 10_000).unref();
          }, budgetMs);
    const poll = watchFile
      ? setInterval(() => {
          if (deadline === undefined && existsSync(watchFile)) deadline = Date.now() + graceMs;
          if (deadline !== undefined && Date.now() > deadline && !hung) {
            hung = true;
            kill(child, 'SIGTERM');
            setTimeout(() => kill(child, 'SIGKILL'), 5000).unref();
          }
        }, 500)
      : undefined;
    const forward = (signal) => kill(child, signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(budget);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ code: code ?? (signal ? 128 : 1), hung, overBudget });
    });
  });
}

/** Signals the child's whole process group (jest and its workers). */
function kill(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A failure outside any test (a hung or crashed runner): reported and counted as one failed test. */
function fail(problem) {
  problems.push(problem);
  totals.failed += 1;
}

function header(title) {
  process.stdout.write(`\n=== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}\n`);
}

function printSummary() {
  header('summary');
  if (skippedTitles.length) {
    console.log(`Skipped tests (${skippedTitles.length}):`);
    for (const title of skippedTitles) console.log(`  - ${title}`);
    console.log('');
  }
  console.log(
    `${'project'.padEnd(14)}${'passed'.padStart(8)}${'failed'.padStart(8)}${'skipped'.padStart(9)}`,
  );
  for (const [name, passed, failed, skipped, note] of rows)
    console.log(
      `${name.padEnd(14)}${String(passed).padStart(8)}${String(failed).padStart(8)}${String(skipped).padStart(9)}  ${note}`,
    );
  if (failedTitles.length) {
    console.log(`\nFailed tests (${failedTitles.length}):`);
    for (const title of failedTitles) console.log(`  - ${title}`);
  }
  for (const problem of problems) console.log(`PROBLEM: ${problem}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
}
