import { fingerprint, redact, redactText, REDACTED } from './redact';

const JWT =
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZW5zb3ItaHViIiwiZXhwIjoxOTAwMDAwMDAwfQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

describe('redactText', () => {
  it('masks bearer and basic credentials but keeps the scheme', () => {
    expect(redactText('Authorization: Bearer abc.def-ghi_jkl')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactText('header Basic Z3Vlc3Q6Z3Vlc3Q=')).toBe(`header Basic ${REDACTED}`);
  });

  it('masks JWTs anywhere in the text', () => {
    expect(redactText(`token=${JWT} expired`)).toBe(`token=${REDACTED} expired`);
  });

  it('masks whole PEM blocks', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\nAgEGCCqGSM49AwEH\n-----END PRIVATE KEY-----';
    expect(redactText(`bad key ${pem} given`)).toBe(`bad key ${REDACTED} given`);
  });

  it('masks the password of URLs inside the text', () => {
    const text = 'connecting to amqps://svc:hunter2@r1:5671/prod and mqtt://u:p%40ss@m1';
    const out = redactText(text);
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('p%40ss');
    expect(out).toContain('amqps://svc:');
    expect(out).toContain('@r1:5671/prod');
  });

  it('leaves ordinary text alone', () => {
    const text = 'Subscribed to sensor-readings (group store) at http://localhost:8000/api, 3 partitions';
    expect(redactText(text)).toBe(text);
  });
});

describe('redact', () => {
  it('replaces values under secret-looking keys, at any depth', () => {
    const out = redact({
      url: 'kafka://b1:9092',
      auth: { username: 'svc', password: 'p', token: 't', apiKey: 'k', api_key: 'k2', clientSecret: 's' },
      tls: { key: 'PEM', passphrase: 'x', pfx: 'bytes', ca: 'ca-path' },
      headers: { Authorization: 'Bearer x', Cookie: 'c=1', 'x-request-id': '42' },
    });
    expect(out).toEqual({
      url: 'kafka://b1:9092',
      auth: {
        username: 'svc',
        password: REDACTED,
        token: REDACTED,
        apiKey: REDACTED,
        api_key: REDACTED,
        clientSecret: REDACTED,
      },
      tls: { key: REDACTED, passphrase: REDACTED, pfx: REDACTED, ca: 'ca-path' },
      headers: { Authorization: REDACTED, Cookie: REDACTED, 'x-request-id': '42' },
    });
  });

  it('does not modify its input', () => {
    const input = { password: 'p', nested: { token: 't' } };
    redact(input);
    expect(input).toEqual({ password: 'p', nested: { token: 't' } });
  });

  it('keeps absent secrets visible as absent', () => {
    expect(redact({ password: undefined, token: null })).toEqual({ password: undefined, token: null });
  });

  it('masks secrets inside string values and arrays', () => {
    expect(redact({ note: `sent Bearer ${JWT}`, list: [JWT, 'plain'] })).toEqual({
      note: `sent Bearer ${REDACTED}`,
      list: [REDACTED, 'plain'],
    });
  });

  it('masks the password of a broker URL under any key', () => {
    const out = redact({ url: 'amqp://guest:guest-secret@rabbit:5672/vh' });
    expect(JSON.stringify(out)).not.toContain('guest-secret');
  });

  it('summarises buffers instead of dumping them', () => {
    expect(redact({ data: Buffer.from('secret bytes') })).toEqual({ data: '<Buffer 12 bytes>' });
  });

  it('turns errors into plain objects with masked messages and secret fields', () => {
    const error = Object.assign(new Error(`rejected Bearer ${JWT}`), { code: 'E401', token: JWT });
    expect(redact({ error })).toEqual({
      error: { name: 'Error', message: `rejected Bearer ${REDACTED}`, code: 'E401', token: REDACTED },
    });
  });

  it('survives cycles and bounds depth', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[Circular]' });
    expect(redact({ l1: { l2: { l3: {} } } }, 2)).toEqual({ l1: { l2: '[Object]' } });
  });

  it('passes primitives through', () => {
    expect(redact(42)).toBe(42);
    expect(redact(undefined)).toBeUndefined();
    expect(redact('plain')).toBe('plain');
  });
});

describe('fingerprint', () => {
  it('is short, stable and tells secrets apart without revealing them', () => {
    const a = fingerprint('hunter2');
    expect(a).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(fingerprint('hunter2')).toBe(a);
    expect(fingerprint(Buffer.from('hunter2'))).toBe(a);
    expect(fingerprint('hunter3')).not.toBe(a);
    expect(a).not.toContain('hunter2');
  });
});
