import { assertDuration, ConfigurationError, TlsOptions } from '@databus/common';
import { describeValue } from '@databus/common/internal';

/**
 * Bootstrap from the dataset client's account server: `StreamingModule.forRoot({ accountServer, tls })`.
 * The account server says where the API gateway, the MAS and NATS are; the client certificate in `tls`
 * obtains the gateway JWT, which obtains a NATS user JWT per dataset.
 * @publicApi
 */
export interface AccountServerOptions {
  /** The account server, e.g. `https://accounts.example.com` (its `/api/v1/config` is read; any path is replaced). */
  url: string;
  /** Time limit of one call to the account server, the gateway or the MAS. @default 10_000 */
  requestTimeoutMs?: number;
}

/** Account-server options with defaults, and the TLS material (as given) for the gateway's mTLS. */
export interface ResolvedAccountServerOptions {
  /** `https://host[:port]/api/v1/config` */
  configUrl: string;
  requestTimeoutMs: number;
  /** The module's `tls`, as given (paths or PEM): the client certificate and the CA bundle. */
  tls: TlsOptions;
}

/** Validates `StreamingModule.accountServer` (and that `tls` holds a client certificate). */
export function resolveAccountServerOptions(
  raw: string | AccountServerOptions,
  tls: TlsOptions | undefined,
): ResolvedAccountServerOptions {
  const option = 'StreamingModule.accountServer';
  const options = typeof raw === 'string' ? { url: raw } : raw;
  if (!options || typeof options !== 'object' || typeof options.url !== 'string')
    throw new ConfigurationError(option, 'the https:// URL of the account server, or { url }', {
      received: describeValue(raw),
    });
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ConfigurationError(`${option}.url`, 'an absolute https:// URL', {
      received: describeValue(options.url),
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigurationError(`${option}.url`, 'an https:// URL', { received: `a ${url.protocol} URL` });
  if (!tls || (!tls.cert && !tls.pfx))
    throw new ConfigurationError(
      'StreamingModule.tls',
      'the client certificate (cert + key, or pfx) that obtains the gateway JWT, and the CA bundle (ca)',
    );
  return {
    configUrl: `${url.origin}/api/v1/config`,
    requestTimeoutMs: assertDuration(options.requestTimeoutMs ?? 10_000, `${option}.requestTimeoutMs`, 1),
    tls,
  };
}
