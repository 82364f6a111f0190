import type { TokenResponse } from '../token';
import { toDatabusError } from './token-response';
import type { TokenRequestContext, TokenStrategy } from './token-strategy.interface';

/**
 * Wraps any async function into a strategy. A string result is the token; a `TokenResponse` may carry
 * `expiresIn`. Errors that are not databus errors become `TokenRequestError` (retried), with secrets masked.
 * @publicApi
 */
export class CustomTokenStrategy implements TokenStrategy {
  readonly kind = 'custom';

  constructor(private readonly fetch: (context: TokenRequestContext) => Promise<string | TokenResponse>) {}

  async fetchToken(context: TokenRequestContext): Promise<TokenResponse> {
    let result: string | TokenResponse;
    try {
      result = await this.fetch(context);
    } catch (error) {
      throw toDatabusError(error, 'The custom fetchToken function');
    }
    const response = typeof result === 'string' ? { accessToken: result } : result;
    if (!response || typeof response.accessToken !== 'string' || response.accessToken.length === 0)
      throw toDatabusError(new Error('it returned no accessToken'), 'The custom fetchToken function');
    return response;
  }
}
