import { Readable } from 'node:stream';
import axios, { AxiosAdapter, AxiosError, InternalAxiosRequestConfig } from 'axios';
import { TokenUnavailableError } from '../auth.errors';
import { JwtManager } from '../jwt-manager';
import { fakeJwt } from '../../test/helpers/fake-jwt';
import { HttpStatusError } from './http-errors';
import { attachJwtInterceptor } from './jwt.interceptor';

/** An axios adapter answering from a script of statuses, recording the Authorization header of each call. */
function scriptedAdapter(statuses: number[]) {
  const seen: Array<string | undefined> = [];
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    seen.push(config.headers.get('Authorization') as string | undefined);
    const status = statuses.shift() ?? 200;
    const response = { data: { status }, status, statusText: '', headers: {}, config };
    if (status >= 400) throw new AxiosError(`HTTP ${status}`, 'ERR_BAD_RESPONSE', config, {}, response);
    return response;
  };
  return { adapter, seen };
}

describe('attachJwtInterceptor', () => {
  let n = 0;
  let fetches = 0;
  let failRefresh = false;
  let jwt: JwtManager;
  beforeEach(() => {
    fetches = 0;
    failRefresh = false;
    jwt = JwtManager.create({
      strategy: 'custom',
      logger: false,
      refresh: { forcedMinIntervalMs: 0 },
      fetchToken: async () => {
        fetches += 1;
        if (failRefresh) throw new Error('idp down');
        return fakeJwt({ sub: 'svc', n: ++n, exp: Math.floor(Date.now() / 1000) + 3600 });
      },
    });
  });
  afterEach(() => jwt.close());

  const client = (statuses: number[]) => {
    const { adapter, seen } = scriptedAdapter(statuses);
    const instance = axios.create({ baseURL: 'https://api.example', adapter });
    attachJwtInterceptor(instance, jwt);
    return { instance, seen };
  };

  it('replays after one 401 with the refreshed token', async () => {
    const { instance, seen } = client([401]);
    await expect(instance.get('/x')).resolves.toMatchObject({ status: 200 });
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[1]).toBe(jwt.current()!.authorization);
    expect(fetches).toBe(2);
  });

  it('stops after the second 401', async () => {
    const { instance, seen } = client([401, 401, 401]);
    await expect(instance.get('/x')).rejects.toMatchObject({ constructor: HttpStatusError, status: 401 });
    expect(seen).toHaveLength(2);
    expect(fetches).toBe(2);
  });

  it('does not replay a streamed body', async () => {
    const { instance, seen } = client([401]);
    await expect(instance.post('/x', Readable.from(['a']))).rejects.toMatchObject({ status: 401 });
    expect(seen).toHaveLength(1);
  });

  it('does not touch requests that carry their own Authorization', async () => {
    const { instance, seen } = client([401]);
    await expect(instance.get('/x', { headers: { Authorization: 'Basic Zm9v' } })).rejects.toMatchObject({
      status: 401,
    });
    expect(seen).toEqual(['Basic Zm9v']);
    expect(fetches).toBe(0);
  });

  it('reports a failed forced refresh as the 401 with the refresh error attached', async () => {
    const { instance } = client([401]);
    await jwt.getToken();
    failRefresh = true;
    const error = await instance.get('/x').catch((e: unknown) => e);
    expect(error).toMatchObject({ constructor: HttpStatusError, status: 401 });
    expect((error as { refreshError?: unknown }).refreshError).toBeInstanceOf(TokenUnavailableError);
  });

  it('fails the request with the typed token error when no token can be had', async () => {
    failRefresh = true;
    const { instance, seen } = client([]);
    await expect(instance.get('/x')).rejects.toBeInstanceOf(TokenUnavailableError);
    expect(seen).toHaveLength(0);
  });

  it('requires an origin to send tokens to', () => {
    expect(() => attachJwtInterceptor(axios.create(), jwt)).toThrow(/origins/);
  });
});
