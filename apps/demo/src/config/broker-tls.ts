import type { TlsOptions } from '@databus/common';
import { TlsFiles } from './demo-config.interface';

/** The `TLS_*` material for a broker URL with a TLS scheme (`amqps`, `mqtts`, `kafka+ssl`…), else none. */
export function brokerTls(url: string, files: TlsFiles): TlsOptions | undefined {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  const secure = scheme.endsWith('s') || scheme.includes('ssl') || scheme.includes('tls');
  if (!secure || scheme === 'nats' || Object.keys(files).length === 0) return undefined;
  return { ...files };
}
