/** @jest-environment ./apps/demo/test/support/jose-environment.js */
jest.mock('jose', () => (globalThis as { __databusJose?: unknown }).__databusJose);

import { JwtManager } from '@databus/auth';
import { uniqueName } from '@databus/testing';
import { createSigningKey } from '../src/gateway/signing-key';
import { TokenIssuer } from '../src/gateway/token-issuer';
import { InvalidTokenError, TokenVerifier } from '../src/gateway/token-verifier';
import { bootDemo } from './support/demo-harness';
import { checkStatsFlow } from './support/stats-flow';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the token issuer as a stand-alone gateway (password mode)', () => {
  let gateway: TokenIssuer;
  const password = uniqueName('secret');

  beforeAll(async () => {
    gateway = await TokenIssuer.start({
      mode: 'password',
      host: '127.0.0.1',
      port: 0,
      key: await createSigningKey(),
      ttlSeconds: 30,
      audience: 'sensor-hub-api',
      issuer: 'external-gateway',
      username: 'worker',
      password,
    });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('refuses a missing or wrong password with 401 and a Basic challenge', async () => {
    const none = await fetch(gateway.tokenUrl);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
    const wrong = await fetch(gateway.tokenUrl, { headers: { Authorization: basic('worker', 'guess') } });
    expect(wrong.status).toBe(401);
    const otherUser = await fetch(gateway.tokenUrl, { headers: { Authorization: basic('admin', password) } });
    expect(otherUser.status).toBe(401);
    expect(gateway.rejected).toBe(3);
    expect(gateway.issued).toBe(0);
  });

  it('answers a token that verifies against its JWKS, and nothing else', async () => {
    const response = await fetch(gateway.tokenUrl, {
      method: 'POST',
      headers: { Authorization: basic('worker', password) },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 30 });
    const verifier = TokenVerifier.withJwks(gateway.jwksUrl, {
      issuer: 'external-gateway',
      audience: 'sensor-hub-api',
    });
    await expect(verifier.verify(body.access_token)).resolves.toMatchObject({
      sub: 'worker',
      iss: 'external-gateway',
    });
    const strict = TokenVerifier.withJwks(gateway.jwksUrl, {
      issuer: 'another-gateway',
      audience: 'sensor-hub-api',
    });
    await expect(strict.verify(body.access_token)).rejects.toThrow(InvalidTokenError);
    expect((await fetch(`${gateway.url}/admin`)).status).toBe(404);
  });

  it('serves the demo as its external gateway (AUTH_TOKEN_URL + AUTH_JWKS_URL)', async () => {
    const demo = await bootDemo({
      AUTH_TOKEN_URL: gateway.tokenUrl,
      AUTH_JWKS_URL: gateway.jwksUrl,
      AUTH_USERNAME: 'worker',
      AUTH_PASSWORD: password,
      AUTH_ISSUER: 'external-gateway',
    });
    try {
      expect(() => demo.issuer).toThrow('external gateway');
      await checkStatsFlow(demo.url, uniqueName('sensor'), [4, 8]);
      expect((await demo.app.get(JwtManager).getToken()).subject).toBe('worker');
    } finally {
      await demo.stop();
    }
  });
});
