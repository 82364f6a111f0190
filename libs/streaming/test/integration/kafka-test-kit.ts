import { createPrivateKey, generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What the Kafka tests know of the broker `npm run kafka -- start` runs (scripts/kafka/layout.mjs): its
 * state folder (`$DATABUS_KAFKA_DIR`, else `<repo>/.kafka`), listeners, certificates, OAUTHBEARER signing
 * key, PLAIN user and the classpath of the Java tools.
 */
export const kafkaDir = (): string =>
  resolve(process.env.DATABUS_KAFKA_DIR || join(__dirname, '..', '..', '..', '..', '.kafka'));

/** A file of the state folder; a missing one fails with the command that makes it. */
export function kafkaFile(...parts: string[]): string {
  const path = join(kafkaDir(), ...parts);
  if (!existsSync(path))
    throw new Error(
      `${path} is missing: start the test broker with \`npm run kafka -- start\` (or set DATABUS_KAFKA_DIR)`,
    );
  return path;
}

export const saslBrokers = (): string => process.env.KAFKA_SASL_BROKERS ?? '127.0.0.1:9093';
export const sslBrokers = (): string => process.env.KAFKA_SSL_BROKERS ?? '127.0.0.1:9094';

/** The test PKI of the SSL listener (made by libs/testing's createTestPki on the broker's first start). */
export const kafkaPki = () => ({
  ca: kafkaFile('pki', 'ca.crt'),
  otherCa: kafkaFile('pki', 'other-ca.crt'),
  clientCert: kafkaFile('pki', 'client.crt'),
  clientKey: kafkaFile('pki', 'client.key'),
  strangerCert: kafkaFile('pki', 'stranger.crt'),
  strangerKey: kafkaFile('pki', 'stranger.key'),
});

/** The SASL PLAIN user of the SASL_PLAINTEXT listener. */
export const plainUser = (): { username: string; password: string } =>
  JSON.parse(readFileSync(kafkaFile('sasl-plain.json'), 'utf8'));

/** Issues RS256 JWTs the broker's OAUTHBEARER validator accepts (or, with a foreign key, refuses). */
export class KafkaTokenIssuer {
  readonly issued: string[] = [];
  private constructor(
    private readonly key: KeyObject,
    private readonly claims: { iss: string; aud: string; kid: string },
  ) {}

  /** Signs with the key whose JWKS the broker trusts. */
  static trusted(): KafkaTokenIssuer {
    const oauth = JSON.parse(readFileSync(kafkaFile('oauth', 'oauth.json'), 'utf8')) as {
      issuer: string;
      audience: string;
      keyId: string;
      signingKey: string;
    };
    return new KafkaTokenIssuer(createPrivateKey(readFileSync(oauth.signingKey)), {
      iss: oauth.issuer,
      aud: oauth.audience,
      kid: oauth.keyId,
    });
  }

  /** Same claims and key id, signed by a key the broker has never seen. */
  static untrusted(): KafkaTokenIssuer {
    const trusted = KafkaTokenIssuer.trusted();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return new KafkaTokenIssuer(privateKey, trusted.claims);
  }

  /** A JWT for `sub` valid `ttlSeconds` from now. */
  sign(sub: string, ttlSeconds: number): string {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const head = b64({ alg: 'RS256', typ: 'JWT', kid: this.claims.kid });
    const body = b64({
      iss: this.claims.iss,
      aud: this.claims.aud,
      sub,
      scope: 'kafka',
      iat: now,
      exp: now + ttlSeconds,
      jti: randomUUID(),
    });
    const signature = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), this.key).toString('base64url');
    const token = `${head}.${body}.${signature}`;
    this.issued.push(token);
    return token;
  }
}

/** The classpath of the broker distribution's jars (broker and kafka-tools), resolved by `npm run kafka`. */
export const kafkaClasspath = (): string => readFileSync(kafkaFile('classpath.txt'), 'utf8').trim();
