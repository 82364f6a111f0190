import * as http from 'node:http';
import * as https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { ConfigurationError, LoadedTls } from '@databus/common';
import { TokenRejectedError } from '../auth.errors';
import type { TokenResponse } from '../token';
import { describeEndpoint, sendTokenRequest } from './token-http';
import { interpretTokenResponse } from './token-response';
import type { TokenRequestContext, TokenStrategy } from './token-strategy.interface';

/** What every HTTP strategy needs, validated. */
export interface HttpStrategyConfig {
  tokenUrl: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  tokenField?: string;
  /** TLS material for https endpoints (CA bundle, client certificate). */
  tls?: LoadedTls;
  /** Option path of `tls`, for configuration errors. */
  tlsOption: string;
  now: () => number;
}

/**
 * Shared plumbing of the HTTP strategies: one non-keep-alive agent carrying the TLS material (token requests
 * are rare, and a fresh handshake per request picks up the current certificate), one request per call, the
 * answer interpreted by `interpretTokenResponse`. Subclasses only say what to send.
 */
export abstract class HttpTokenStrategy implements TokenStrategy {
  abstract readonly kind: string;
  private readonly agent: http.Agent;
  private readonly endpoint: string;
  /** End of validity of the PEM client certificate, epoch ms (unknown for PKCS#12). */
  private readonly certificateExpiresAt: number | undefined;

  protected constructor(protected readonly config: HttpStrategyConfig) {
    this.endpoint = describeEndpoint(config.tokenUrl);
    if (config.tokenUrl.protocol === 'https:') {
      const tls = config.tls ?? { rejectUnauthorized: true };
      checkSecureContext(tls, config.tlsOption);
      this.agent = new https.Agent({ ...tls, keepAlive: false });
    } else this.agent = new http.Agent({ keepAlive: false });
    this.certificateExpiresAt = config.tls?.cert ? certificateEnd(config.tls.cert) : undefined;
  }

  /** The method, extra headers and body of one token request. */
  protected abstract buildRequest(): { headers: Record<string, string>; body?: string };

  async fetchToken(context: TokenRequestContext): Promise<TokenResponse> {
    if (this.certificateExpiresAt !== undefined && this.config.now() > this.certificateExpiresAt)
      // A clear reason instead of the gateway's bare connection reset.
      throw new TokenRejectedError(
        `The client certificate (${this.config.tlsOption}.cert) expired at ${new Date(this.certificateExpiresAt).toISOString()}.`,
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
      agent: this.agent,
      signal: context.signal,
      clientCertificate: Boolean(this.config.tls?.cert || this.config.tls?.pfx),
    });
    return interpretTokenResponse(response, {
      endpoint: this.endpoint,
      tokenField: this.config.tokenField,
      now: this.config.now(),
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function certificateEnd(pem: Buffer): number | undefined {
  try {
    const end = Date.parse(new X509Certificate(pem).validTo);
    return Number.isNaN(end) ? undefined : end;
  } catch {
    return undefined;
  }
}

/**
 * Builds a TLS context once at startup so that a wrong PKCS#12 passphrase or a key that does not match its
 * certificate fails at bootstrap with the option's name, not at the first token request.
 */
function checkSecureContext(tls: LoadedTls, option: string): void {
  try {
    createSecureContext({
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      pfx: tls.pfx,
      passphrase: tls.passphrase,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const field = tls.pfx ? `${option}.pfx` : `${option}.key`;
    throw new ConfigurationError(
      field,
      tls.pfx
        ? 'a PKCS#12 bundle that opens with tls.passphrase'
        : 'a private key that matches tls.cert (and opens with tls.passphrase when encrypted)',
      { received: code ? `material that TLS rejects (${code})` : 'material that TLS rejects' },
    );
  }
}
