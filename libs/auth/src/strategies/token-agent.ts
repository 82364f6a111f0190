import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { createSecureContext } from 'node:tls';
import { ConfigurationError, LoadedTls, loadTlsMaterial, TlsOptions, TlsWarn } from '@databus/common';

/** The agent for the next token request, and what is known about its client certificate. */
export interface TokenAgentState {
  agent: http.Agent;
  /** True when the TLS handshake presents a client certificate. */
  clientCertificate: boolean;
  /** End of validity of a PEM client certificate, epoch ms (unknown for PKCS#12). */
  certificateExpiresAt?: number;
}

const PEM_MARKER = '-----BEGIN ';

/**
 * The HTTP(S) agent of a token strategy. It never keeps sockets alive (token requests are rare), and it
 * follows certificate rotation: when a TLS file given by path (`ca`, `cert`, `key`, `pfx`) changes on disk,
 * the material is read again before the next request and a new agent replaces the old one. A half-written
 * rotation (a certificate without its new key) keeps the previous material until the files match again.
 */
export class TokenAgent {
  private state: TokenAgentState;
  private stamps: string;

  constructor(
    private readonly url: URL,
    private readonly source: TlsOptions | undefined,
    private readonly option: string,
    warn?: TlsWarn,
  ) {
    this.stamps = this.readStamps();
    this.state = this.build(source ? loadTlsMaterial(source, option, warn) : undefined);
  }

  /** The agent to use now, rebuilt first when a TLS file changed. */
  current(): TokenAgentState {
    if (!this.source || this.url.protocol !== 'https:') return this.state;
    const stamps = this.readStamps();
    if (stamps === this.stamps) return this.state;
    try {
      const next = this.build(loadTlsMaterial(this.source, this.option));
      this.state.agent.destroy();
      this.state = next;
      this.stamps = stamps;
    } catch {
      // Keep the previous material; the files are compared again before the next request.
    }
    return this.state;
  }

  close(): void {
    this.state.agent.destroy();
  }

  private build(tls: LoadedTls | undefined): TokenAgentState {
    if (this.url.protocol !== 'https:')
      return { agent: new http.Agent({ keepAlive: false }), clientCertificate: false };
    const material = tls ?? { rejectUnauthorized: true };
    checkSecureContext(material, this.option);
    return {
      agent: new https.Agent({ ...material, keepAlive: false }),
      clientCertificate: Boolean(material.cert || material.pfx),
      certificateExpiresAt: material.cert ? certificateEnd(material.cert) : undefined,
    };
  }

  /** Modification time and size of every TLS file given by path, as one comparable string. */
  private readStamps(): string {
    if (!this.source) return '';
    const { ca, cert, key, pfx } = this.source;
    const paths = [...(Array.isArray(ca) ? ca : [ca]), cert, key, pfx].filter(
      (v): v is string => typeof v === 'string' && !v.includes(PEM_MARKER),
    );
    return paths
      .map((path) => {
        try {
          const stat = statSync(path);
          return `${path}:${stat.mtimeMs}:${stat.size}`;
        } catch {
          return `${path}:missing`;
        }
      })
      .join('|');
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
 * Builds a TLS context so that a wrong PKCS#12 passphrase or a key that does not match its certificate fails
 * with the option's name (at startup), not at the first token request.
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
