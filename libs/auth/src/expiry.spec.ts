import { decodeJwtClaims, parseRetryAfter, planRefresh, resolveExpiresAt } from './expiry';
import { REFRESH_DEFAULTS } from './auth.constants';
import { fakeJwt } from '../test/helpers/fake-jwt';

const policy = REFRESH_DEFAULTS;
const MIN = 60_000;

describe('expiry', () => {
  it('decodes JWT claims without verifying and ignores non-JWTs', () => {
    expect(decodeJwtClaims(fakeJwt({ sub: 'a', exp: 10 }))).toEqual({ sub: 'a', exp: 10 });
    expect(decodeJwtClaims('opaque-token')).toBeUndefined();
    expect(decodeJwtClaims('a.b.c')).toBeUndefined();
  });

  it('measures expires_in from the request start and takes the earlier of expires_in and exp', () => {
    expect(resolveExpiresAt({ requestStartedAt: 1_000, expiresInSeconds: 60 })).toBe(61_000);
    expect(resolveExpiresAt({ requestStartedAt: 1_000, expiresInSeconds: 60, claims: { exp: 30 } })).toBe(
      30_000,
    );
    expect(resolveExpiresAt({ requestStartedAt: 1_000, expiresInSeconds: 60, claims: { exp: 100 } })).toBe(
      61_000,
    );
    expect(resolveExpiresAt({ requestStartedAt: 1_000 })).toBeUndefined();
  });

  it.each([
    [60 * MIN, 5 * MIN, 10_000],
    [10 * MIN, 2 * MIN, 10_000],
    [2 * MIN, 30_000, 10_000],
    [3_000, 1_500, 300],
  ])(
    'plans a %i ms token to refresh %i ms before expiry with a %i ms hard margin (no jitter)',
    (lifetime, window, margin) => {
      const plan = planRefresh({ obtainedAt: 0, expiresAt: lifetime }, policy, () => 0);
      expect(plan.refreshAt).toBe(lifetime - window);
      expect(plan.usableUntil).toBe(lifetime - margin);
    },
  );

  it('moves the refresh earlier by at most 10 % of the lifetime (and 60 s) of jitter', () => {
    const early = planRefresh({ obtainedAt: 0, expiresAt: 60 * MIN }, policy, () => 0.999999);
    expect(early.refreshAt).toBeLessThan(55 * MIN);
    expect(early.refreshAt).toBeGreaterThanOrEqual(54 * MIN);
  });

  it('never schedules a refresh sooner than the minimum interval for a token that arrives nearly expired', () => {
    // The issuer returned a token with 40 s left (pitfall: re-issuing the same token until 30 s before expiry).
    const plan = planRefresh({ obtainedAt: 0, expiresAt: 40_000 }, policy, () => 0);
    expect(plan.refreshAt).toBe(20_000);
    expect(plan.refreshAt).toBeLessThanOrEqual(plan.usableUntil);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});
