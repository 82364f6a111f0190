// Packaging smoke test (`npm run test:pack`): proves that the published tarballs work in an outside app.
//   1. `npm pack`s every publishable lib into a temp dir outside the workspace (each builds itself on `prepack`,
//      incrementally) and checks each tarball's files and the links of its Markdown (scripts/lib/pack.mjs);
//   2. installs them in a throwaway NestJS 11 app (CommonJS, decorators through Reflect.decorate) that boots
//      StreamingModule.forRoot({ url: 'memory://smoke' }), consumes one message with @OnDatasetMessage and exits;
//      every packed lib must also load (require / import) without its optional peers;
//   3. runs the same app against NestJS 12 (ESM-only) twice: the CommonJS app (our CJS build require()s the
//      ESM Nest) and an ESM (.mjs) app that imports our CJS packages;
//   4. pastes the README quickstart into another app, installed with the README's own line from the tarballs,
//      compiles it with tsc and checks that it does what the README says (scripts/lib/quickstart-smoke.mjs).
// The broker clients are optional peers and are NOT installed: the memory transport must not need them.
// Each app must also exit by itself after `app.close()` (nothing may keep a closed app alive).
// Options: --only=common,streaming (pack just these libs), --keep (keep the temp dir), --also-node=A:B (run every
// app on these Node binaries too, e.g. the ones `node scripts/node-lines.mjs` installs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { packLib, publishableLibs } from './lib/pack.mjs';
import { runQuickstart } from './lib/quickstart-smoke.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const APP_TIMEOUT_MS = 60_000;
const started = Date.now();
const keep = process.argv.includes('--keep');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const work = mkdtempSync(join(tmpdir(), 'databus-pack-smoke-'));
// The apps run on this Node and on every --also-node=/path/node22:/path/node24 (installed once, run on each).
const nodes = [
  process.execPath,
  ...(process.argv
    .find((a) => a.startsWith('--also-node='))
    ?.slice('--also-node='.length)
    .split(':')
    .filter(Boolean) ?? []),
];

function main() {
  const libs = publishableLibs(only);
  // Each lib builds itself on `prepack` (incremental: unchanged libs are not compiled again).
  const tarballs = libs.map((lib) => {
    const t = packLib(lib, work);
    log(`packed ${basename(t.file)} (${t.files.length} files, ${(t.size / 1024).toFixed(1)} KiB)`);
    return t;
  });
  const streaming = libs.some((l) => l.pkg.name === '@databus/streaming');
  const scenario = streaming ? 'streaming' : 'common';
  const nest11 = install('nest11', tarballs, '^11');
  const names = tarballs.map((t) => t.name);
  runApp(nest11, 'app.cjs', appSource(scenario, 'cjs', names), 'NestJS 11, CommonJS app');
  const nest12 = install('nest12', tarballs, '^12');
  runApp(
    nest12,
    'app.cjs',
    appSource(scenario, 'cjs', names),
    'NestJS 12 (ESM), CommonJS app via require(esm)',
  );
  runApp(nest12, 'app.mjs', appSource(scenario, 'esm', names), 'NestJS 12 (ESM), ESM app');
  if (streaming) runQuickstart(join(work, 'quickstart'), tarballs, log, nodes);
}

/** Creates an app dir that depends on the tarballs and the given Nest major, and installs it. */
function install(dirName, tarballs, nestRange) {
  const dir = join(work, dirName);
  mkdirSync(dir);
  const dependencies = {
    '@nestjs/common': nestRange,
    '@nestjs/core': nestRange,
    'reflect-metadata': '^0.2.2',
    rxjs: '^7.8.1',
  };
  const overrides = {};
  for (const t of tarballs) {
    dependencies[t.name] = `file:${t.file}`;
    // Libs depend on each other by exact version: make every one resolve to the local tarball.
    overrides[t.name] = `$${t.name}`;
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `databus-smoke-${dirName}`, private: true, dependencies, overrides }, null, 2),
  );
  log(`installing the ${dirName} app (npm install --prefer-offline)`);
  const t0 = Date.now();
  try {
    sh(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (!text.includes('ERESOLVE')) throw error;
    const conflict = text.slice(Math.max(0, text.indexOf('Could not resolve dependency')));
    const culprit = /peer (\S+@"[^"]+") from (@databus\/[a-z-]+)@/.exec(conflict);
    throw new Error(
      `the tarballs cannot be installed beside @nestjs/core ${nestRange}: a peerDependencies range of ` +
        `${culprit ? `${culprit[2]} (${culprit[1]})` : 'a @databus package'} excludes the versions that go ` +
        `with NestJS ${nestRange.replace('^', '')}; widen it in that lib's package.json\n${text}`,
    );
  }
  const nest = JSON.parse(readFileSync(join(dir, 'node_modules/@nestjs/core/package.json'), 'utf8')).version;
  log(`installed @nestjs/core ${nest} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const client of ['kafkajs', 'amqplib', 'mqtt', '@nats-io/transport-node'])
    if (existsSync(join(dir, 'node_modules', client)))
      log(
        `note: optional broker client ${client} got installed (a lib declares it as a required dependency?)`,
      );
  return dir;
}

/** Writes and runs one app with plain node; it must print SMOKE OK and exit 0 by itself in time. */
function runApp(dir, file, source, label) {
  writeFileSync(join(dir, file), source);
  for (const node of nodes) {
    const on = `${label} on Node ${nodeVersion(node)}`;
    const t0 = Date.now();
    const result = spawnSync(node, [file], {
      cwd: dir,
      encoding: 'utf8',
      timeout: APP_TIMEOUT_MS,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    if (result.error?.code === 'ETIMEDOUT')
      throw new Error(
        `${on}: did not exit within ${APP_TIMEOUT_MS / 1000} s (a timer or socket keeps it alive?)\n${output}`,
      );
    if (result.status !== 0 || !result.stdout.includes('SMOKE OK'))
      throw new Error(`${on}: exited with ${result.status ?? result.signal}\n${output}`);
    log(`${on}: ${result.stdout.trim().split('\n').pop()} (${Date.now() - t0} ms)`);
  }
}

/** `v22.23.5` for a node binary. */
function nodeVersion(node) {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/** The smoke app's source. Plain JavaScript: decorators are applied with Reflect.decorate. */
function appSource(scenario, format, packages) {
  const imports =
    format === 'cjs'
      ? `require('reflect-metadata');
const { Injectable, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const databus = require('${scenario === 'streaming' ? '@databus/streaming' : '@databus/common'}');
const common = require('@databus/common');`
      : `import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import databus from '${scenario === 'streaming' ? '@databus/streaming' : '@databus/common'}';
import common from '@databus/common';`;
  const body = scenario === 'streaming' ? STREAMING_APP : COMMON_APP;
  // Every packed lib must load without its optional peers (broker clients are not installed).
  const load = format === 'cjs' ? 'async (name) => require(name)' : '(name) => import(name)';
  const loadAll = `
const loadPackage = ${load};
const loadedAll = Promise.all(
  ${JSON.stringify(packages)}.map((name) =>
    loadPackage(name).then(
      (m) => { if (Object.keys(m).length === 0) fail(name + ' exports nothing'); },
      (error) => fail(name + ' cannot be loaded: ' + (error && error.stack ? error.stack : error)),
    ),
  ),
);`;
  return `${imports}\n${SHARED}\n${loadAll}\n${body}\n`;
}

const SHARED = `
function fail(message) {
  console.error('SMOKE FAILED: ' + message);
  process.exit(1);
}
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out after ' + ms + ' ms waiting for ' + what)), ms);
    }),
  ]);
}
function decorateMethod(decorators, target, key) {
  const descriptor = Reflect.decorate(decorators, target, key, Object.getOwnPropertyDescriptor(target, key));
  if (descriptor) Object.defineProperty(target, key, descriptor);
}
// Errors from another package copy must still be recognisable by class and name.
const configError = new common.ConfigurationError('url', 'a broker URL');
if (!(configError instanceof common.PermanentError) || configError.name !== 'ConfigurationError')
  fail('the @databus/common error hierarchy does not survive packaging');
`;

const COMMON_APP = `
class Probe {
  check() {
    const url = databus.parseBrokerUrl('amqp://user:secret@r1:5672,r2/vhost');
    if (url.hosts.length !== 2 || url.path !== 'vhost') throw new Error('parseBrokerUrl: ' + JSON.stringify(url.hosts));
    return databus.retry(async (attempt) => {
      if (attempt < 2) throw new databus.TemporaryError('first attempt fails');
      return attempt;
    }, { attempts: 3, backoff: { initialMs: 1, maxMs: 1 } });
  }
}
const ProbeProvider = Reflect.decorate([Injectable()], Probe);
class AppModule {}
const App = Reflect.decorate([Module({ providers: [ProbeProvider] })], AppModule);

(async () => {
  await loadedAll;
  const app = await NestFactory.createApplicationContext(App, { logger: ['error', 'warn'] });
  // retry() sleeps on unref'd timers: the (ref'd) timeout keeps this script alive meanwhile.
  const attempts = await withTimeout(app.get(ProbeProvider).check(), 10000, 'retry()');
  await app.close();
  if (attempts !== 2) fail('retry() returned ' + attempts);
  console.log('SMOKE OK: @databus/common in a Nest app (streaming not packaged yet)');
})().catch((error) => fail(error && error.stack ? error.stack : String(error)));
`;

const STREAMING_APP = `
const { StreamingModule, ChannelService, OnDatasetMessage, Offset } = databus;
for (const [name, value] of Object.entries({ StreamingModule, ChannelService, OnDatasetMessage, Offset }))
  if (value === undefined) fail('@databus/streaming does not export ' + name);

let received;
const arrived = new Promise((resolve) => { received = resolve; });

class SmokeHandler {
  async onSmoke(...args) {
    // The payload may come decoded or as a DatasetMessage; accept either, check the content.
    const message = args.find((a) => a && typeof a.json === 'function');
    const value = message ? message.json() : args[0];
    received(value);
  }
}
decorateMethod([OnDatasetMessage('smoke', { offset: Offset.BEGIN })], SmokeHandler.prototype, 'onSmoke');
const Handler = Reflect.decorate([Injectable()], SmokeHandler);
class AppModule {}
const App = Reflect.decorate(
  [Module({ imports: [StreamingModule.forRoot({ url: 'memory://smoke' })], providers: [Handler] })],
  AppModule,
);

(async () => {
  await loadedAll;
  const app = await NestFactory.createApplicationContext(App, { logger: ['error', 'warn'] });
  await app.init();
  await app.get(ChannelService).produce('smoke', { hello: 'world' });
  const value = await withTimeout(arrived, 10000, 'the @OnDatasetMessage handler');
  await app.close();
  if (!value || value.hello !== 'world') fail('the handler received ' + JSON.stringify(value));
  console.log('SMOKE OK: produced and consumed ' + JSON.stringify(value) + ' on memory://smoke');
})().catch((error) => fail(error && error.stack ? error.stack : String(error)));
`;

/** Runs a command and returns its stdout; throws with its output when it fails. */
function sh(command, args, cwd) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function log(message) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[pack-smoke ${seconds}s] ${message}`);
}

try {
  main();
  log(`OK: packaging smoke passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`\nPACKAGING SMOKE FAILED: ${error instanceof Error ? error.message : String(error)}`);
  if (keep) console.error(`(work dir kept: ${work})`);
  process.exitCode = 1;
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
