import { isIP } from 'node:net';
import { LoadedTls } from './tls-options.interface';

/**
 * The `tls.connect` fields every broker client takes (amqplib, nats.js, mqtt.js, kafkajs): the loaded
 * material's own fields, `rejectUnauthorized` always set (`true` unless loaded with `insecure: true`).
 */
export type TlsSocketOptions = LoadedTls;

/**
 * Maps loaded TLS material (see `loadTlsMaterial`) onto the socket options of a broker client.
 * - no material: verification on with the system CAs (`{ rejectUnauthorized: true }`);
 * - only the fields that are set are copied, so a client's own defaults stay in force for the others;
 * - `host`, when given, becomes the SNI name unless it is an IP address or `servername` is set.
 *
 * `insecure: true` was already warned about when the material was loaded; this mapping only carries the flag.
 */
export function tlsSocketOptions(tls: LoadedTls | undefined, host?: string): TlsSocketOptions {
  const out: TlsSocketOptions = { rejectUnauthorized: tls?.rejectUnauthorized ?? true };
  if (tls?.ca) out.ca = tls.ca;
  if (tls?.cert) out.cert = tls.cert;
  if (tls?.key) out.key = tls.key;
  if (tls?.pfx) out.pfx = tls.pfx;
  if (tls?.passphrase !== undefined) out.passphrase = tls.passphrase;
  const servername = tls?.servername ?? (host !== undefined && isIP(host) === 0 ? host : undefined);
  if (servername) out.servername = servername;
  return out;
}
