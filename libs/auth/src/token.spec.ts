import { inspect } from 'node:util';
import { AccessToken } from './token';
import { fakeJwt } from '../test/helpers/fake-jwt';

describe('AccessToken', () => {
  const value = fakeJwt({ sub: 'svc-a', exp: 2_000_000_000 });
  const token = new AccessToken(value, { obtainedAt: 0, expiresAt: 2_000_000_000_000 });

  it('never prints its value, however it is printed', () => {
    const renderings = [
      String(token),
      `${token}`,
      JSON.stringify(token),
      JSON.stringify({ nested: { token } }),
      inspect(token),
      inspect({ token }, { depth: 5 }),
      JSON.stringify({ ...token }),
      Object.values(token).join(' '),
    ];
    for (const text of renderings) expect(text).not.toContain(value);
    expect(String(token)).toMatch(/^\[AccessToken sha256:[0-9a-f]{12} sub=svc-a exp=2033-/);
  });

  it('exposes the value and the Authorization header on request', () => {
    expect(token.value).toBe(value);
    expect(token.authorization).toBe(`Bearer ${value}`);
    expect(token.subject).toBe('svc-a');
    expect(token.equals(value)).toBe(true);
    expect(token.equals(new AccessToken(value, { obtainedAt: 5 }))).toBe(true);
    expect(token.equals('other')).toBe(false);
  });
});
