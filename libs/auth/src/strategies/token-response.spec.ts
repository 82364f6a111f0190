import { PayloadDecodeError } from '@databus/common';
import { TokenRejectedError, TokenRequestError } from '../auth.errors';
import { extractToken, interpretTokenResponse } from './token-response';

const endpoint = 'https://idp.example/token';
const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('token responses', () => {
  it('reads a raw body, a JSON string, a JSON field or a dotted path', () => {
    expect(extractToken(' abc.def.ghi\n', undefined, endpoint)).toEqual({ accessToken: 'abc.def.ghi' });
    expect(extractToken('"abc"', undefined, endpoint).accessToken).toBe('abc');
    expect(extractToken('{"access_token":"abc","expires_in":"60"}', undefined, endpoint)).toEqual({
      accessToken: 'abc',
      expiresIn: 60,
      tokenType: undefined,
    });
    expect(extractToken('{"data":{"jwt":"abc"}}', 'data.jwt', endpoint).accessToken).toBe('abc');
  });

  it('fails with a PayloadDecodeError that does not echo the body when the token is missing', () => {
    expect(() => extractToken('{"data":{"other":"secret-value"}}', 'data.jwt', endpoint)).toThrow(
      PayloadDecodeError,
    );
    expect(() => extractToken('<html>not a token</html>', undefined, endpoint)).toThrow(
      /without a usable token/,
    );
    try {
      extractToken('{"data":{"other":"secret-value"}}', 'data.jwt', endpoint);
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-value');
    }
  });

  it.each([400, 401, 403, 404])('treats HTTP %i as a permanent rejection', (status) => {
    expect(() =>
      interpretTokenResponse(answer(status, { error: 'invalid_client' }), { endpoint, now: 0 }),
    ).toThrow(TokenRejectedError);
  });

  it.each([408, 429, 500, 502, 503])('treats HTTP %i as temporary, with Retry-After', (status) => {
    try {
      interpretTokenResponse(answer(status, 'busy', { 'retry-after': '7' }), { endpoint, now: 0 });
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(TokenRequestError);
      expect((error as TokenRequestError).details).toEqual({ status, retryAfterMs: 7_000 });
    }
  });

  it('keeps the OAuth2 error code and masks tokens in the description', () => {
    const body = {
      error: 'invalid_grant',
      error_description: 'token eyJhbGciOi.eyJzdWIiOiJ4In0.c2ln expired',
    };
    try {
      interpretTokenResponse(answer(400, body), { endpoint, now: 0 });
    } catch (error) {
      expect(error).toMatchObject({ details: { status: 400, code: 'invalid_grant' } });
      expect((error as Error).message).not.toContain('eyJhbGciOi.eyJzdWIiOiJ4In0');
    }
  });
});
