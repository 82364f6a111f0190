import { basicAuthorization, HttpTokenStrategy, TokenRequestParts } from './http-token.strategy';

/** How `PasswordTokenStrategy` sends the credentials. */
export interface PasswordCredentials {
  username: string;
  password: string;
  mode: 'basic' | 'json' | 'form';
  usernameField: string;
  passwordField: string;
}

/**
 * Logs in with a username and password: HTTP Basic by default (the consumer-group channel's login), or a JSON
 * or form body; the token is read from `tokenField` (default `token`).
 * @publicApi
 */
export class PasswordTokenStrategy extends HttpTokenStrategy<PasswordCredentials> {
  readonly kind = 'password';

  protected buildRequest(): TokenRequestParts {
    const { username, password, mode, usernameField, passwordField } = this.params;
    if (mode === 'basic') return { headers: { authorization: basicAuthorization(username, password) } };
    if (mode === 'json')
      return {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ [usernameField]: username, [passwordField]: password }),
      };
    return {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ [usernameField]: username, [passwordField]: password }).toString(),
    };
  }
}
