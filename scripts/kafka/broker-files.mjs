// Writes what the test broker reads at start: its listener certificates (the tests' PKI helper from
// libs/testing), the JWKS its OAUTHBEARER validator trusts, server.properties and the log4j2 configuration.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { host, oauth, paths, plainUser, ports, repoRoot } from './layout.mjs';

/**
 * The repository's one test PKI helper (libs/testing/src/pki.ts), loaded from its TypeScript source:
 * it only imports Node built-ins, so a plain transpile is enough and no build has to run first.
 */
async function loadPkiHelper() {
  const { default: ts } = await import('typescript');
  const source = readFileSync(join(repoRoot, 'libs', 'testing', 'src', 'pki.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
}

/** CA, broker and client certificates in `pki/`, generated once (valid 3650 days: the folder is kept). */
export async function ensurePki() {
  if (existsSync(paths.keystore)) return;
  const { createTestPki } = await loadPkiHelper();
  const pki = createTestPki({ dir: paths.pki, days: 3650 });
  // Kafka's PEM key store: the unencrypted PKCS#8 key followed by the certificate chain.
  writeFileSync(paths.keystore, pki.read(pki.serverKey) + pki.read(pki.serverCert) + pki.read(pki.caCert));
}

/** An RSA signing key and the JWKS (its public half) that the broker's JWT validator reads. */
export function ensureOauthKeys() {
  if (existsSync(paths.jwks) && existsSync(paths.signingKey)) return;
  mkdirSync(paths.oauth, { recursive: true });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(paths.signingKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const jwk = createPublicKey(createPrivateKey(readFileSync(paths.signingKey))).export({ format: 'jwk' });
  writeFileSync(
    paths.jwks,
    JSON.stringify({ keys: [{ ...jwk, kid: oauth.keyId, alg: 'RS256', use: 'sig' }] }),
  );
  writeFileSync(
    paths.oauthJson,
    JSON.stringify({ ...oauth, signingKey: paths.signingKey, jwks: paths.jwks }),
  );
}

/** The PLAIN test user, for the tests (`sasl-plain.json`). */
export function writePlainUser() {
  writeFileSync(paths.plainJson, JSON.stringify(plainUser), { mode: 0o600 });
}

/** Broker settings: single KRaft node, three client listeners, no topic auto-creation, fast test groups. */
export function writeBrokerConfig() {
  mkdirSync(paths.logs, { recursive: true });
  const ssl = 'listener.name.ssl.';
  const sasl = 'listener.name.sasl_plaintext.oauthbearer.';
  const lines = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${ports.controller}`,
    'controller.listener.names=CONTROLLER',
    `listeners=PLAINTEXT://${host}:${ports.plain},SASL_PLAINTEXT://${host}:${ports.sasl},SSL://${host}:${ports.ssl},CONTROLLER://${host}:${ports.controller}`,
    `advertised.listeners=PLAINTEXT://${host}:${ports.plain},SASL_PLAINTEXT://${host}:${ports.sasl},SSL://${host}:${ports.ssl}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${paths.data}`,
    // The transport creates its topics; a typo must not create one.
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=5',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Test groups: no join delay, short sessions allowed.
    'group.initial.rebalance.delay.ms=0',
    'group.min.session.timeout.ms=1000',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.retention.hours=24',
    'log.segment.bytes=16777216',
    'delete.topic.enable=true',
    // SSL listener: the test CA signs the broker and the clients; a client certificate is required.
    `${ssl}ssl.keystore.type=PEM`,
    `${ssl}ssl.keystore.location=${paths.keystore}`,
    `${ssl}ssl.truststore.type=PEM`,
    `${ssl}ssl.truststore.location=${join(paths.pki, 'ca.crt')}`,
    `${ssl}ssl.client.auth=required`,
    // SASL_PLAINTEXT listener: OAUTHBEARER with RS256 JWTs verified against the local JWKS file, and PLAIN
    // with one test user (so a wrong password can be tested).
    'sasl.enabled.mechanisms=OAUTHBEARER,PLAIN',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${plainUser.username}="${plainUser.password}";`,
    `${sasl}sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;`,
    `${sasl}sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler`,
    `${sasl}connections.max.reauth.ms=3600000`,
    // The validator's settings, both with the listener prefix and without: Kafka 4.1.1's callback handler
    // reads some of them from the broker-wide keys only, and without the JWKS URL there its
    // DefaultJwtValidator picks ClientJwtValidator, which checks no signature, issuer or audience
    // (kafka-security.int-spec.ts proves that a foreign signature is refused).
    ...[sasl, ''].flatMap((prefix) => [
      `${prefix}sasl.oauthbearer.jwt.validator.class=org.apache.kafka.common.security.oauthbearer.BrokerJwtValidator`,
      `${prefix}sasl.oauthbearer.jwks.endpoint.url=${pathToFileURL(paths.jwks).href}`,
      `${prefix}sasl.oauthbearer.expected.issuer=${oauth.issuer}`,
      `${prefix}sasl.oauthbearer.expected.audience=${oauth.audience}`,
    ]),
  ];
  writeFileSync(paths.properties, `${lines.join('\n')}\n`);
  writeFileSync(
    paths.log4j,
    [
      'status=warn',
      'appender.file.type=File',
      'appender.file.name=file',
      `appender.file.fileName=${join(paths.logs, 'server.log')}`,
      'appender.file.layout.type=PatternLayout',
      'appender.file.layout.pattern=[%d] %p %m (%c)%n',
      'rootLogger.level=WARN',
      'rootLogger.appenderRef.file.ref=file',
      'logger.server.name=kafka.server',
      'logger.server.level=INFO',
      '',
    ].join('\n'),
  );
}

/** JVM system properties the broker needs besides server.properties. */
export function brokerSystemProperties() {
  return [
    `-Dlog4j2.configurationFile=${paths.log4j}`,
    `-Dkafka.logs.dir=${paths.logs}`,
    // Kafka 4 reads JWKS/token URLs only when they are allowed explicitly.
    `-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${pathToFileURL(paths.jwks).href}`,
  ];
}
