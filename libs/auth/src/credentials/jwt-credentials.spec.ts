import { inspect } from 'node:util';
import { JwtManager } from '../jwt-manager';
import { fakeJwt } from '../../test/helpers/fake-jwt';
import { jwtCredentials } from './jwt-credentials';
import { oauthBearerProvider } from './oauth-bearer';

describe('broker credentials over a JwtManager', () => {
  let fetches: number;
  let subject: string;
  let jwt: JwtManager;
  beforeEach(() => {
    fetches = 0;
    subject = 'svc-a';
    jwt = JwtManager.create({
      strategy: 'custom',
      logger: false,
      refresh: { forcedMinIntervalMs: 0 },
      fetchToken: async () => {
        fetches += 1;
        return fakeJwt({ sub: subject, n: fetches, exp: Math.floor(Date.now() / 1000) + 3600 });
      },
    });
  });
  afterEach(() => jwt.close());

  it('has nothing synchronously before the first token, then the cached one', async () => {
    const credentials = jwtCredentials(jwt);
    expect(credentials.current()).toBeUndefined();
    const got = await credentials.get();
    expect(got).toMatchObject({ username: 'svc-a', principal: 'svc-a' });
    expect(got.password).toBe(got.token);
    expect(credentials.current()).toEqual(got);
    expect(fetches).toBe(1);
  });

  it('renews refused credentials once for concurrent callers holding the same stale token', async () => {
    const credentials = jwtCredentials(jwt);
    const stale = await credentials.get();
    const [a, b] = await Promise.all([credentials.renew!(stale), credentials.renew!(stale)]);
    expect(fetches).toBe(2);
    expect(a.token).toBe(b.token);
    expect(a.token).not.toBe(stale.token);
    // A caller still holding the old token gets the new one without another login.
    expect((await credentials.renew!(stale)).token).toBe(a.token);
    expect(fetches).toBe(2);
  });

  it('prints without the token', async () => {
    const got = await jwtCredentials(jwt, { username: 'user' }).get();
    for (const text of [JSON.stringify(got), inspect(got), String(got), `${got}`])
      expect(text).not.toContain(got.token!);
  });

  it('tells refresh listeners whether the principal changed, until they unsubscribe', async () => {
    const credentials = jwt.asCredentialsProvider();
    const seen: Array<[string | undefined, boolean]> = [];
    const off = credentials.onRefresh((c, info) => seen.push([c.principal, info.principalChanged]));
    await jwt.getToken();
    await jwt.forceRefresh();
    subject = 'svc-b';
    await jwt.forceRefresh();
    off();
    await jwt.forceRefresh();
    expect(seen).toEqual([
      ['svc-a', false],
      ['svc-a', false],
      ['svc-b', true],
    ]);
  });

  it('answers kafkajs OAUTHBEARER from the cache and fetches only when nothing is cached', async () => {
    const provider = oauthBearerProvider(jwt, { extensions: { traceId: 'x' } });
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(fetches).toBe(1);
    for (let i = 0; i < 50; i++) await provider();
    expect(fetches).toBe(1);
    expect(a).toEqual({ value: jwt.current()!.value, extensions: { traceId: 'x' } });
    expect(b.value).toBe(a.value);
  });
});
