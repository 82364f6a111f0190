/**
 * TLS material, given as file paths or PEM text (either is accepted for each field), or a PKCS#12 bundle.
 * Peer verification is always on unless `insecure: true` is set explicitly (which logs a warning).
 * @publicApi
 */
export interface TlsOptions {
  /** CA bundle to verify the peer with: a path, PEM text, or a list of either. Default: Node's CA store. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate (PEM path or text) for mutual TLS. */
  cert?: string | Buffer;
  /** Client private key (PEM path or text) for mutual TLS. */
  key?: string | Buffer;
  /** PKCS#12 bundle (path or bytes) holding the client certificate and key, instead of `cert` + `key`. */
  pfx?: string | Buffer;
  /** Passphrase of `key` or `pfx`. Never logged. */
  passphrase?: string;
  /** Server name for SNI and certificate verification, when it differs from the host name. */
  servername?: string;
  /** Turns off peer verification. Only for tests against self-signed brokers; a warning is logged. @default false */
  insecure?: boolean;
}

/** The material loaded from `TlsOptions`, ready for `tls.connect` / `https.Agent`. */
export interface LoadedTls {
  ca?: Buffer[];
  cert?: Buffer;
  key?: Buffer;
  pfx?: Buffer;
  passphrase?: string;
  servername?: string;
  rejectUnauthorized: boolean;
}
