/**
 * Builds an unsigned compact JWT for unit tests: the manager only decodes claims, it never verifies.
 * (Integration tests sign real ones with jose, see jwt-signer.ts.)
 */
export function fakeJwt(claims: Record<string, unknown>): string {
  const enc = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.c2ln`;
}

/** A counter of unique token texts: `fakeJwt` with a `jti` and the given lifetime, from `nowMs`. */
export function tokenFactory(subject = 'svc') {
  let n = 0;
  return (nowMs: number, lifetimeSeconds: number, sub = subject): string =>
    fakeJwt({
      sub,
      jti: `t${++n}`,
      iat: Math.floor(nowMs / 1000),
      exp: Math.floor(nowMs / 1000) + lifetimeSeconds,
    });
}
