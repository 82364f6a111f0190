import { HttpTokenStrategy, TokenRequestParts } from './http-token.strategy';

/**
 * Exchanges the client certificate for a token: the TLS handshake presents `tls.cert`/`tls.key` (or
 * `tls.pfx`), the gateway answers with a JWT as the raw body or in `tokenField`.
 * @publicApi
 */
export class MtlsTokenStrategy extends HttpTokenStrategy {
  readonly kind = 'mtls';

  protected buildRequest(): TokenRequestParts {
    return this.config.method === 'POST'
      ? { headers: { 'content-type': 'application/json' }, body: '{}' }
      : { headers: {} };
  }
}
