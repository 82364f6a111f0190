// Where the test broker of `npm run kafka` keeps its files and which ports it listens on. One place, read by
// the script (scripts/kafka.mjs), by .ci/run (through `npm run kafka -- env`) and, by the same rules, by the
// tests' Kafka kit (libs/streaming/test/integration/kafka-test-kit.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The state folder of a running broker that this script started from another checkout (its
 * `server.properties` argument names the folder), so that every worktree and clone on the machine shares the
 * one broker on 9092 and its certificates.
 */
function runningStateDir() {
  let entries = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const pid of entries) {
    let args;
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const at = args.indexOf('kafka.Kafka');
    const properties = at >= 0 ? args[at + 1] : undefined;
    if (properties?.endsWith('server.properties') && existsSync(join(dirname(properties), 'broker.pid')))
      return dirname(properties);
  }
  return undefined;
}

/**
 * The broker's state folder: `$DATABUS_KAFKA_DIR`; else `<repo>/.kafka` (git-ignored) unless the broker that
 * runs was started from another checkout's folder, which is then shared.
 */
export const stateDir = resolve(
  process.env.DATABUS_KAFKA_DIR ||
    (existsSync(join(repoRoot, '.kafka', 'broker.pid')) ? undefined : runningStateDir()) ||
    join(repoRoot, '.kafka'),
);

export const ports = {
  /** PLAINTEXT, no authentication. */
  plain: 9092,
  /** SASL_PLAINTEXT with OAUTHBEARER (JWTs checked against `oauth/jwks.json`) and PLAIN (`sasl-plain.json`). */
  sasl: 9093,
  /** SSL with client certificates required (`pki/ca.crt` signs both sides). */
  ssl: 9094,
  /** The KRaft controller (this single node is broker and controller). */
  controller: 9095,
};

export const host = '127.0.0.1';

export const paths = {
  pom: join(repoRoot, 'scripts', 'kafka', 'pom.xml'),
  classpath: join(stateDir, 'classpath.txt'),
  classpathKey: join(stateDir, 'classpath.key'),
  data: join(stateDir, 'data'),
  logs: join(stateDir, 'logs'),
  out: join(stateDir, 'logs', 'broker.out'),
  pid: join(stateDir, 'broker.pid'),
  properties: join(stateDir, 'server.properties'),
  log4j: join(stateDir, 'log4j2.properties'),
  pki: join(stateDir, 'pki'),
  keystore: join(stateDir, 'pki', 'broker-keystore.pem'),
  oauth: join(stateDir, 'oauth'),
  jwks: join(stateDir, 'oauth', 'jwks.json'),
  signingKey: join(stateDir, 'oauth', 'signing-key.pem'),
  oauthJson: join(stateDir, 'oauth', 'oauth.json'),
  plainJson: join(stateDir, 'sasl-plain.json'),
};

/** Claims the broker requires of OAUTHBEARER tokens (the tests' token endpoint issues these). */
export const oauth = { issuer: 'databus-test-issuer', audience: 'kafka', keyId: 'databus-kafka-test' };

/** The one SASL PLAIN user of the SASL_PLAINTEXT listener (a test broker on loopback: not a secret). */
export const plainUser = { username: 'databus', password: 'databus-test-password' };

/** Environment variables the Kafka tests read (`npm run kafka -- env` prints them). */
export function testEnv() {
  return {
    KAFKA_BROKERS: `${host}:${ports.plain}`,
    KAFKA_SASL_BROKERS: `${host}:${ports.sasl}`,
    KAFKA_SSL_BROKERS: `${host}:${ports.ssl}`,
    DATABUS_KAFKA_DIR: stateDir,
    // The broker-restart tests restart this broker (keeping its data) through the same script.
    KAFKA_RESTART_CMD: `DATABUS_KAFKA_DIR=${stateDir} node ${join(repoRoot, 'scripts', 'kafka.mjs')} restart`,
  };
}
