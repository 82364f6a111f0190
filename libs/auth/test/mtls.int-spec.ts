import { copyFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '@databus/common';
import { waitFor } from '@databus/testing';
import { JwtManager, MtlsTokenStrategy, TokenRejectedError } from '@databus/auth';
import { CapturingLogger } from './helpers/capturing-logger';
import { JwtSigner } from './helpers/jwt-signer';
import { createTestPki, TestPki } from './helpers/pki';
import { TokenServer } from './helpers/token-server';

describe('mtls strategy against a real HTTPS gateway that requires client certificates', () => {
  let pki: TestPki;
  let signer: JwtSigner;
  let gateway: TokenServer;
  const logger = new CapturingLogger();
  const managers: JwtManager[] = [];

  beforeAll(async () => {
    pki = createTestPki();
    signer = JwtSigner.start();
    gateway = await TokenServer.start({ pki, signer, mtls: true });
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
  });
  afterAll(async () => {
    await gateway.close();
    await signer.close();
    pki.remove();
  });

  const create = (options: Record<string, unknown>): JwtManager => {
    const manager = JwtManager.create(
      {
        strategy: 'mtls',
        tokenUrl: `${gateway.url}/mtls/token`,
        failOnStartup: false,
        refresh: { backoff: { initialMs: 50, maxMs: 200 } },
        ...options,
      } as never,
      logger,
    );
    managers.push(manager);
    return manager;
  };

  it('exchanges a client certificate given as PEM files for the raw-body JWT', async () => {
    const jwt = create({ tls: { cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert } });
    const token = await jwt.getToken();
    expect(gateway.issued).toContain(token.value);
    expect(token.subject).toBe('svc-client');
    expect(token.expiresAt).toBeGreaterThan(Date.now());
  });

  it('accepts PEM text and reads the token from a JSON field with tokenField', async () => {
    const jwt = create({
      tokenUrl: `${gateway.url}/mtls/token.json`,
      tokenField: 'result.jwt',
      tls: { cert: pki.read(pki.clientCert), key: pki.read(pki.clientKey), ca: pki.read(pki.caCert) },
    });
    const token = await jwt.getToken();
    expect(gateway.issued).toContain(token.value);
  });

  it('accepts a PKCS#12 bundle with its passphrase', async () => {
    const jwt = create({ tls: { pfx: pki.clientPfx, passphrase: pki.pfxPassphrase, ca: pki.caCert } });
    await expect(jwt.getToken()).resolves.toMatchObject({ subject: 'svc-client' });
  });

  it('fails at creation, naming the option, when the PKCS#12 passphrase is wrong', () => {
    expect(() => create({ tls: { pfx: pki.clientPfx, passphrase: 'wrong', ca: pki.caCert } })).toThrow(
      expect.objectContaining({ constructor: ConfigurationError, option: 'JwtAuthModule.tls.pfx' }),
    );
  });

  it.each([
    [
      'a certificate from an unknown CA',
      () => ({ cert: pki.strangerCert, key: pki.strangerKey, ca: pki.caCert }),
    ],
    ['an expired certificate', () => ({ cert: pki.expiredCert, key: pki.expiredKey, ca: pki.caCert })],
  ])('is refused with a permanent TokenRejectedError for %s', async (_title, tls) => {
    const jwt = create({ tls: tls() });
    const error = await jwt.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(jwt.status()).toMatchObject({ state: 'empty', lastError: { permanent: true } });
  });

  it('is refused with a TokenRejectedError when no client certificate is presented', async () => {
    const strategy = new MtlsTokenStrategy({
      tokenUrl: new URL(`${gateway.url}/mtls/token`),
      method: 'GET',
      headers: {},
      tls: { ca: pki.caCert },
      tlsOption: 'tls',
      now: Date.now,
    });
    const jwt = JwtManager.create({ strategy, failOnStartup: false, logger: false });
    managers.push(jwt);
    await expect(jwt.getToken()).rejects.toBeInstanceOf(TokenRejectedError);
  });

  it('picks up a client certificate rotated on disk before the next token request', async () => {
    const cert = join(pki.dir, 'rotating.crt');
    const key = join(pki.dir, 'rotating.key');
    const install = (fromCert: string, fromKey: string, at: number): void => {
      copyFileSync(fromCert, cert);
      copyFileSync(fromKey, key);
      for (const file of [cert, key]) utimesSync(file, at, at);
    };
    install(pki.strangerCert, pki.strangerKey, 1_000);
    const jwt = create({ tls: { cert, key, ca: pki.caCert } });
    await expect(jwt.getToken()).rejects.toBeInstanceOf(TokenRejectedError);
    install(pki.clientCert, pki.clientKey, 2_000);
    const token = await waitFor(() => jwt.current(), {
      timeoutMs: 3_000,
      message: 'a token with the new certificate',
    });
    expect(token.subject).toBe('svc-client');
  });

  it('refuses a gateway whose certificate the CA bundle does not trust', async () => {
    const jwt = create({ tls: { cert: pki.clientCert, key: pki.clientKey, ca: pki.otherCaCert } });
    const error = await jwt.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect((error as TokenRejectedError).details.code).toMatch(/CERT|SIGNATURE|ISSUER/);
  });

  it('rejects an http token URL for mTLS at creation', () => {
    expect(() =>
      create({ tokenUrl: 'http://127.0.0.1:1/x', tls: { cert: pki.clientCert, key: pki.clientKey } }),
    ).toThrow(expect.objectContaining({ option: 'JwtAuthModule.tokenUrl' }));
  });

  it('never logs the tokens it obtained or the key material', () => {
    const text = logger.text();
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const token of gateway.issued) expect(text).not.toContain(token);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(pki.pfxPassphrase);
  });
});
