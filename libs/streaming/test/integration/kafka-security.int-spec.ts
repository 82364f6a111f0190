import { Injectable } from '@nestjs/common';
import { JwtManager, jwtCredentials } from '@databus/auth';
import { AuthenticationError, PermanentError } from '@databus/common';
import { describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { Offset, OnDatasetMessage, Payload, StreamingModuleOptions } from '@databus/streaming';
import { startApp, TestApp } from '../conformance/harness';
import { KafkaTokenIssuer, kafkaPki, plainUser, saslBrokers, sslBrokers } from './kafka-test-kit';

const target = { name: 'kafka' as const, url: () => '' };
const fast = { transportOptions: { numPartitions: 1, consumer: { maxWaitTimeMs: 100 } } };

/** Starts an app on `url` whose handler collects `dataset`, produces `count` messages and waits for them. */
async function roundTrip(url: string, options: Partial<StreamingModuleOptions>, count = 3): Promise<TestApp> {
  const dataset = uniqueName('kafka-sec');
  const seen: number[] = [];
  @Injectable()
  class Handler {
    @OnDatasetMessage(dataset, { group: uniqueName('g'), offset: Offset.BEGIN })
    on(@Payload() payload: { n: number }) {
      seen.push(payload.n);
    }
  }
  const app = await startApp(target, url, { providers: [Handler], options: { ...fast, ...options } });
  try {
    for (let n = 0; n < count; n++) await app.channel.produce(dataset, { n });
    await waitFor(() => seen.length >= count, { timeoutMs: 30_000, message: `${count} messages` });
    expect([...new Set(seen)].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

/** The bootstrap error of an app that must not start. */
async function bootstrapError(url: string, options: Partial<StreamingModuleOptions>): Promise<Error> {
  const app = await startApp(target, url, { options: { ...fast, ...options } }).catch((e: Error) => e);
  if (!(app instanceof Error)) {
    await app.close();
    throw new Error('the app started');
  }
  return app;
}

describeWithBroker(
  'kafka',
  'kafka transport security on the test broker (mTLS, SASL PLAIN, OAUTHBEARER)',
  () => {
    jest.setTimeout(90_000);

    describe('SSL listener with client certificates', () => {
      it('streams over kafka+ssl:// with the private CA and a client certificate', async () => {
        const pki = kafkaPki();
        const app = await roundTrip(`kafka+ssl://${sslBrokers()}`, {
          tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
        });
        await app.close();
      });

      it('refuses a broker certificate its CA does not verify: PermanentError naming TLS verification', async () => {
        const pki = kafkaPki();
        const error = await bootstrapError(`kafka+ssl://${sslBrokers()}`, {
          tls: { ca: pki.otherCa, cert: pki.clientCert, key: pki.clientKey },
        });
        expect(error).toBeInstanceOf(PermanentError);
        expect(error.message).toMatch(
          /^TLS verification of the Kafka broker failed \(connecting\): [A-Z_]+$/,
        );
        expect(error.message).not.toContain('PRIVATE KEY');
      });

      it('is refused by the broker with a client certificate of an unknown CA: AuthenticationError', async () => {
        const pki = kafkaPki();
        const error = await bootstrapError(`kafka+ssl://${sslBrokers()}`, {
          tls: { ca: pki.ca, cert: pki.strangerCert, key: pki.strangerKey },
        });
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error.message).toMatch(/^The Kafka broker refused the client certificate \(connecting\): /);
      });
    });

    describe('SASL_PLAINTEXT listener', () => {
      it('authenticates with SASL PLAIN and streams', async () => {
        const user = plainUser();
        const app = await roundTrip(`kafka://${saslBrokers()}`, {
          credentials: { username: user.username, password: user.password },
          transportOptions: { ...fast.transportOptions, sasl: { mechanism: 'plain' } },
        });
        await app.close();
      });

      it('fails bootstrap on a wrong password with AuthenticationError, the password in no message', async () => {
        const password = 'not-the-password-4711';
        const error = await bootstrapError(`kafka://${saslBrokers()}`, {
          credentials: { username: plainUser().username, password },
          transportOptions: { ...fast.transportOptions, sasl: { mechanism: 'plain' } },
        });
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error.message).toMatch(/^Kafka refused the credentials \(connecting\): /);
        expect(error.message).not.toContain(password);
        expect(String((error as { cause?: unknown }).cause)).not.toContain(password);
      });

      it('fails bootstrap with AuthenticationError on an OAUTHBEARER token the broker cannot verify, the token in no message', async () => {
        const issuer = KafkaTokenIssuer.untrusted();
        const jwt = JwtManager.create({
          strategy: 'custom',
          logger: false,
          fetchToken: async () => issuer.sign('svc-kafka', 300),
        });
        try {
          const error = await bootstrapError(`kafka://${saslBrokers()}`, {
            credentials: jwtCredentials(jwt),
            transportOptions: { ...fast.transportOptions, sasl: { mechanism: 'oauthbearer' } },
          });
          expect(error).toBeInstanceOf(AuthenticationError);
          expect(error.message).toMatch(/^Kafka refused the credentials \(connecting\): /);
          expect(issuer.issued.length).toBeGreaterThan(0);
          for (const token of issuer.issued) expect(error.message).not.toContain(token.split('.')[2]);
        } finally {
          await jwt.close();
        }
      });

      it('streams with OAUTHBEARER tokens from JwtManager, refreshed during the run (re-authentication), no message lost', async () => {
        const issuer = KafkaTokenIssuer.trusted();
        const ttlSeconds = 8;
        const jwt = JwtManager.create({
          strategy: 'custom',
          logger: false,
          refresh: { minWindowMs: 3000, windowMs: 3000, minIntervalMs: 1000, jitterMs: 0 },
          fetchToken: async () => issuer.sign('svc-kafka', ttlSeconds),
        });
        const dataset = uniqueName('kafka-oauth');
        const seen = new Set<number>();
        @Injectable()
        class Handler {
          @OnDatasetMessage(dataset, { group: uniqueName('g'), offset: Offset.BEGIN })
          on(@Payload() payload: { n: number }) {
            seen.add(payload.n);
          }
        }
        const app = await startApp(target, `kafka://${saslBrokers()}`, {
          providers: [Handler],
          options: {
            credentials: jwtCredentials(jwt),
            transportOptions: {
              ...fast.transportOptions,
              sasl: { mechanism: 'oauthbearer' },
              reauthenticationThresholdMs: 2000,
            },
          },
        });
        try {
          // Three token lifetimes: the broker ends each session at the token's expiry unless re-authenticated.
          const until = Date.now() + 3 * ttlSeconds * 1000;
          let n = 0;
          while (Date.now() < until) {
            await app.channel.produce(dataset, { n: n++ });
            await new Promise((r) => setTimeout(r, 100));
          }
          await waitFor(() => seen.size >= n, { timeoutMs: 30_000, message: `all ${n} messages` });
          expect(seen.size).toBe(n);
          expect(issuer.issued.length).toBeGreaterThanOrEqual(3);
        } finally {
          await app.close();
          await jwt.close();
        }
      });
    });
  },
);
