import type { TlsOptions, TlsWarn } from '@databus/common';
import { TokenRejectedError } from '../auth.errors';
import type { TokenResponse } from '../token';
import { TokenAgent } from './token-agent';
import { describeEndpoint, sendTokenRequest } from './token-http';
import { interpretTokenResponse } from './token-response';
import type { TokenRequestContext, TokenStrategy } from './token-strategy.interface';

/** What every HTTP strategy needs, validated. @publicApi */
export interface HttpStrategyConfig {
  tokenUrl: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  tokenField?: string;
  /** TLS material for https endpoints (CA bundle, client certificate), as paths or PEM text. */
  tls?: TlsOptions;
  /** Option path of `tls`, for configuration errors. */
  tlsOption: string;
  now: () => number;
  /** Receives the warning when `tls.insecure` is set. */
  warn?: TlsWarn;
}

/** The headers and body one token request adds to the strategy's configured ones. */
export interface TokenRequestParts {
  headers: Record<string, string>;
  body?: string;
}

/**
 * Shared plumbing of the HTTP strategies: a `TokenAgent` (no keep-alive, follows certificate files that
 * change on disk), one request per call, the answer interpreted by `interpretTokenResponse`. Subclasses only
 * say what to send, from the validated config and their own `params` (the credentials or grant; none for mTLS).
 */
export abstract class HttpTokenStrategy<P = void> implements TokenStrategy {
  abstract readonly kind: string;
  private readonly agent: TokenAgent;
  private readonly endpoint: string;

  constructor(
    protected readonly config: HttpStrategyConfig,
    protected readonly params: P,
  ) {
    this.endpoint = describeEndpoint(config.tokenUrl);
    this.agent = new TokenAgent(config.tokenUrl, config.tls, config.tlsOption, config.warn);
  }

  /** The extra headers and body of one token request. */
  protected abstract buildRequest(): TokenRequestParts;

  async fetchToken(context: TokenRequestContext): Promise<TokenResponse> {
    const { agent, clientCertificate, certificateExpiresAt } = this.agent.current();
    if (certificateExpiresAt !== undefined && this.config.now() > certificateExpiresAt)
      // A clear reason instead of the gateway's bare connection reset.
      throw new TokenRejectedError(
        `The client certificate (${this.config.tlsOption}.cert) expired at ${new Date(certificateExpiresAt).toISOString()}.`,
        { code: 'CERT_HAS_EXPIRED' },
      );
    const { headers, body } = this.buildRequest();
    const response = await sendTokenRequest({
      url: this.config.tokenUrl,
      method: this.config.method,
      headers: {
        accept: 'application/json, application/jwt, text/plain',
        ...this.config.headers,
        ...headers,
        ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
      },
      body,
      agent,
      signal: context.signal,
      clientCertificate,
    });
    return interpretTokenResponse(response, {
      endpoint: this.endpoint,
      tokenField: this.config.tokenField,
      now: this.config.now(),
    });
  }

  close(): void {
    this.agent.close();
  }
}

/** An HTTP Basic `authorization` header value of `user` and `secret`. */
export function basicAuthorization(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
}
