import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors';
import { LoadedTls, TlsOptions } from './tls-options.interface';

const PEM_MARKER = '-----BEGIN ';

/** Receives the warning logged when verification is turned off. */
export type TlsWarn = (message: string) => void;

/**
 * Reads TLS material from paths or PEM text and checks its shape, so a bad file fails at startup with the
 * option's name (`<path>.cert`) rather than at the first connection. Contents are never put in messages.
 * - a value that contains a PEM header is PEM text; any other string is a file path;
 * - `pfx` is a path or the raw bytes of a PKCS#12 bundle;
 * - `cert` without `key` (or the reverse) is a configuration error;
 * - `insecure: true` turns off verification and calls `warn` once.
 */
export function loadTlsMaterial(options: TlsOptions, path = 'tls', warn?: TlsWarn): LoadedTls {
  if (options === null || typeof options !== 'object')
    throw new ConfigurationError(path, 'an object of TLS options');
  if (options.cert && !options.key && !options.pfx)
    throw new ConfigurationError(`${path}.key`, 'the private key that goes with tls.cert');
  if (options.key && !options.cert)
    throw new ConfigurationError(`${path}.cert`, 'the certificate that goes with tls.key');
  const loaded: LoadedTls = { rejectUnauthorized: options.insecure !== true };
  if (options.ca !== undefined) {
    const list = Array.isArray(options.ca) ? options.ca : [options.ca];
    loaded.ca = list.map((item, i) =>
      readPem(item, list.length > 1 ? `${path}.ca[${i}]` : `${path}.ca`, 'CERTIFICATE'),
    );
  }
  if (options.cert !== undefined) loaded.cert = readPem(options.cert, `${path}.cert`, 'CERTIFICATE');
  if (options.key !== undefined) loaded.key = readPem(options.key, `${path}.key`, 'PRIVATE KEY');
  if (options.pfx !== undefined) loaded.pfx = readBinary(options.pfx, `${path}.pfx`);
  if (options.passphrase !== undefined) loaded.passphrase = options.passphrase;
  if (options.servername !== undefined) loaded.servername = options.servername;
  if (options.insecure === true)
    warn?.(`TLS peer verification is OFF (${path}.insecure = true). Never use this in production.`);
  return loaded;
}

function readPem(value: string | Buffer, option: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): Buffer {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  const pem = text.includes(PEM_MARKER) ? text : readFile(text, option).toString('utf8');
  if (
    !pem.includes(PEM_MARKER) ||
    (kind === 'CERTIFICATE' && !pem.includes('CERTIFICATE')) ||
    (kind === 'PRIVATE KEY' && !pem.includes('PRIVATE KEY'))
  )
    throw new ConfigurationError(
      option,
      `PEM text or the path of a PEM file holding a ${kind.toLowerCase()}`,
    );
  return Buffer.from(pem, 'utf8');
}

function readBinary(value: string | Buffer, option: string): Buffer {
  return Buffer.isBuffer(value) ? value : readFile(value, option);
}

function readFile(file: string, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigurationError(option, 'a readable file or PEM text', {
      received: `path "${file}" (${code})`,
      cause: error,
    });
  }
}
