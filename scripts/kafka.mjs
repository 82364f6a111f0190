// `npm run kafka -- start | stop | restart | status | env`: Apache Kafka's own broker (Maven Central,
// scripts/kafka/pom.xml) as a single KRaft node on 127.0.0.1 for the tests, the bench and local runs.
//   start    resolve the classpath (cached), format the log dir on first use, start the broker detached
//            (pid file), wait until it answers on every listener (bounded), exit 0; already running: exit 0
//   stop     stop it (SIGTERM, then SIGKILL after 60 s); nothing of it is left running
//   restart  stop + start, keeping its data
//   status   running or stopped (exit 0 / 3)
//   prepare  write the certificates, JWKS and configuration only (docker-compose.yml mounts them)
//   env      the `export` lines the Kafka tests read (KAFKA_BROKERS, KAFKA_SASL_BROKERS, KAFKA_SSL_BROKERS,
//            DATABUS_KAFKA_DIR)
//   classpath  the broker's classpath (resolved and cached first if needed), as the last line of stdout; the
//            cluster tests start their own brokers from it (libs/streaming/test/cluster/kafka-cluster.ts)
// Listeners: PLAINTEXT 9092, SASL_PLAINTEXT/OAUTHBEARER 9093, SSL with client certificates 9094, controller
// 9095. State (classpath, data, logs, PKI, JWKS) lives in `.kafka/` or $DATABUS_KAFKA_DIR. Heap: -Xmx512m.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import {
  brokerSystemProperties,
  ensureOauthKeys,
  ensurePki,
  writeBrokerConfig,
  writePlainUser,
} from './kafka/broker-files.mjs';
import { kafkaClasspath, kafkaVersion } from './kafka/classpath.mjs';
import { host, paths, ports, stateDir, testEnv } from './kafka/layout.mjs';

const START_TIMEOUT_MS = Number(process.env.KAFKA_START_TIMEOUT_MS ?? 120_000);
const STOP_TIMEOUT_MS = 60_000;
const HEAP = process.env.KAFKA_HEAP_OPTS ?? '-Xms128m -Xmx512m';

const commands = { start, stop, restart, status, env, prepare, classpath };
const command = process.argv[2];
if (!commands[command]) {
  console.error(`usage: npm run kafka -- ${Object.keys(commands).join('|')}`);
  process.exit(2);
}
try {
  process.exitCode = (await commands[command]()) ?? 0;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}

async function start() {
  const running = runningPid();
  if (running) {
    console.log(`kafka: already running (pid ${running}) on ${host}:${ports.plain}`);
    return 0;
  }
  if (await portOpen(ports.plain))
    throw new Error(`kafka: ${host}:${ports.plain} is taken by a process this script did not start`);
  const classpath = kafkaClasspath();
  await ensurePki();
  ensureOauthKeys();
  writePlainUser();
  writeBrokerConfig();
  if (!existsSync(join(paths.data, 'meta.properties'))) format(classpath);
  const out = openSync(paths.out, 'a');
  const child = spawn(
    'java',
    [
      ...HEAP.split(/\s+/).filter(Boolean),
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...brokerSystemProperties(),
      '-cp',
      classpath,
      'kafka.Kafka',
      paths.properties,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  writeFileSync(paths.pid, `${child.pid}\n`);
  console.log(`kafka: starting Apache Kafka ${kafkaVersion()} (pid ${child.pid}, state in ${stateDir})`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers())) {
    if (!alive(child.pid)) {
      rmSync(paths.pid, { force: true });
      throw new Error(
        `kafka: the broker exited during start-up; last lines of ${paths.out}:\n${tail(paths.out)}`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `kafka: no answer within ${START_TIMEOUT_MS / 1000} s; see ${paths.out} and ${paths.logs}`,
      );
    }
    await sleep(500);
  }
  console.log(
    `kafka: up on ${host}:${ports.plain} (PLAINTEXT), ${ports.sasl} (SASL_PLAINTEXT/OAUTHBEARER), ${ports.ssl} (SSL, client certs)`,
  );
  return 0;
}

/** Writes the broker's files (certificates, JWKS, PLAIN user, server.properties) without starting it. */
async function prepare() {
  await ensurePki();
  ensureOauthKeys();
  writePlainUser();
  writeBrokerConfig();
  console.log(`kafka: files ready in ${stateDir} (pki/, oauth/, server.properties)`);
  return 0;
}

async function stop() {
  const pid = runningPid();
  if (!pid) {
    rmSync(paths.pid, { force: true });
    console.log('kafka: not running');
    return 0;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  if (alive(pid)) {
    console.log(`kafka: still running after ${STOP_TIMEOUT_MS / 1000} s, killing pid ${pid}`);
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(100);
  }
  rmSync(paths.pid, { force: true });
  console.log(`kafka: stopped (pid ${pid})`);
  return 0;
}

async function restart() {
  await stop();
  return start();
}

async function status() {
  const pid = runningPid();
  if (!pid) {
    const other = (await portOpen(ports.plain))
      ? ` (but something else listens on ${host}:${ports.plain})`
      : '';
    console.log(`kafka: stopped${other}`);
    return 3;
  }
  const ok = await answers();
  console.log(
    `kafka: running (pid ${pid}, Apache Kafka ${kafkaVersion()}), ${ok ? 'answering' : 'not answering yet'} on ${host}:${ports.plain}`,
  );
  return ok ? 0 : 1;
}

function classpath() {
  console.log(kafkaClasspath());
  return 0;
}

function env() {
  for (const [key, value] of Object.entries(testEnv()))
    console.log(`export ${key}='${value.replaceAll("'", "'\\''")}'`);
  return 0;
}

/** Formats the single-node KRaft log dir (first start only). */
function format(classpath) {
  mkdirSync(paths.data, { recursive: true });
  const clusterId = randomBytes(16).toString('base64url');
  const result = spawnSync(
    'java',
    [
      '-Xmx256m',
      `-Dlog4j2.configurationFile=${paths.log4j}`,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      paths.properties,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0)
    throw new Error(`kafka: formatting ${paths.data} failed:\n${result.stdout}${result.stderr}`);
  console.log(`kafka: formatted ${paths.data} (cluster ${clusterId})`);
}

/** The pid in the pid file when that process is alive and is this broker, else undefined. */
function runningPid() {
  if (!existsSync(paths.pid)) return undefined;
  const pid = Number(readFileSync(paths.pid, 'utf8').trim());
  if (!pid || !alive(pid)) return undefined;
  const cmdline = existsSync(`/proc/${pid}/cmdline`)
    ? readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    : 'kafka.Kafka';
  return cmdline.includes('kafka.Kafka') ? pid : undefined;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) counts as gone.
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
}

/** Every listener accepts connections and the broker serves metadata on the PLAINTEXT one. */
async function answers() {
  for (const port of [ports.plain, ports.sasl, ports.ssl]) if (!(await portOpen(port))) return false;
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const admin = new Kafka({
    clientId: 'databus-kafka-script',
    brokers: [`${host}:${ports.plain}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
    requestTimeout: 3000,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

function tail(file, lines = 30) {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '(no output)';
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
