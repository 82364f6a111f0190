import { basicAuthorization, HttpTokenStrategy, TokenRequestParts } from './http-token.strategy';

/** The client and grant parameters of `ClientCredentialsTokenStrategy`. */
export interface ClientCredentialsGrant {
  clientId: string;
  clientSecret: string;
  clientAuth: 'client_secret_basic' | 'client_secret_post';
  scope?: string;
  audience?: string;
  extraParams: Record<string, string>;
  /** @default 'client_credentials' */
  grantType?: string;
}

/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4): a form POST of `grant_type=client_credentials` with the
 * client authenticated by HTTP Basic (`client_secret_basic`, id and secret form-encoded first as §2.3.1 says)
 * or in the body (`client_secret_post`); the token is `access_token`, the lifetime `expires_in`.
 * @publicApi
 */
export class ClientCredentialsTokenStrategy extends HttpTokenStrategy<ClientCredentialsGrant> {
  readonly kind = 'client_credentials';

  protected buildRequest(): TokenRequestParts {
    const { clientId, clientSecret, clientAuth, scope, audience, extraParams, grantType } = this.params;
    const form = new URLSearchParams({ ...extraParams, grant_type: grantType ?? 'client_credentials' });
    if (scope) form.set('scope', scope);
    if (audience) form.set('audience', audience);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (clientAuth === 'client_secret_basic') {
      // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined.
      headers.authorization = basicAuthorization(formEncode(clientId), formEncode(clientSecret));
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }
    return { headers, body: form.toString() };
  }
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
