import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ConfigurationError } from '@databus/common';
import { DEFAULT_TIMEOUT_MS, resolveRealtimeOptions } from './resolve-realtime-options';

const KEY = 'sup3r-secret-api-key';

function resolve(options: Record<string, unknown>, warn?: (m: string) => void) {
  const resolved = resolveRealtimeOptions(
    { apiUrl: 'http://localhost:8000/api', apiKey: KEY, ...options } as never,
    warn,
  );
  if (resolved.ownsAgent) resolved.agent.destroy();
  return resolved;
}

function failure(options: Record<string, unknown>): ConfigurationError {
  try {
    resolve(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).not.toContain(KEY);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('resolveRealtimeOptions', () => {
  it('applies defaults: 10 s timeout and an own keep-alive HTTP agent', () => {
    const r = resolve({});
    expect(r.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    expect(r.ownsAgent).toBe(true);
    expect(r.agent).toBeInstanceOf(HttpAgent);
    expect(r.agent).not.toBeInstanceOf(HttpsAgent);
    expect((r.agent as unknown as { keepAlive: boolean }).keepAlive).toBe(true);
    expect(r.endpoint).toBe('http://localhost:8000/api');
  });

  it('builds an HTTPS agent with verification on for an https: URL', () => {
    const r = resolve({ apiUrl: 'https://centrifugo.example/api', keepAlive: false, maxSockets: 4 });
    expect(r.agent).toBeInstanceOf(HttpsAgent);
    expect(r.agent.maxSockets).toBe(4);
    expect(
      (r.agent as unknown as { options: { rejectUnauthorized: boolean } }).options.rejectUnauthorized,
    ).toBe(true);
  });

  it('warns when TLS verification is turned off', () => {
    const warn = jest.fn();
    resolve({ apiUrl: 'https://c/api', tls: { insecure: true } }, warn);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('insecure'));
  });

  it('uses a custom agent as is and does not own it', () => {
    const agent = new HttpAgent();
    const r = resolve({ agent });
    expect(r.agent).toBe(agent);
    expect(r.ownsAgent).toBe(false);
    agent.destroy();
  });

  it('names the bad option', () => {
    expect(failure({ apiUrl: undefined }).option).toBe('RealtimeModule.apiUrl');
    expect(failure({ apiUrl: 'not a url' }).option).toBe('RealtimeModule.apiUrl');
    expect(failure({ apiUrl: 'ftp://x/api' }).option).toBe('RealtimeModule.apiUrl');
    expect(failure({ apiUrl: `http://x/api?api_key=${KEY}` }).option).toBe('RealtimeModule.apiUrl');
    expect(failure({ apiKey: '' }).option).toBe('RealtimeModule.apiKey');
    expect(failure({ apiKey: 42 }).option).toBe('RealtimeModule.apiKey');
    expect(failure({ timeoutMs: 0 }).option).toBe('RealtimeModule.timeoutMs');
    expect(failure({ maxSockets: 0 }).option).toBe('RealtimeModule.maxSockets');
    expect(failure({ agent: {} }).option).toBe('RealtimeModule.agent');
    expect(failure({ agent: new HttpAgent(), keepAlive: true }).option).toBe('RealtimeModule.keepAlive');
    expect(failure({ tls: { ca: 'x' } }).option).toBe('RealtimeModule.tls');
    expect(failure({ apiUrl: 'https://c/api', tls: { ca: '/no/such/ca.pem' } }).option).toBe(
      'RealtimeModule.tls.ca',
    );
  });

  it('masks credentials of the URL in the endpoint', () => {
    expect(resolve({ apiUrl: 'http://user:pw@c:8000/api/' }).endpoint).toBe('http://user:***@c:8000/api');
  });
});
