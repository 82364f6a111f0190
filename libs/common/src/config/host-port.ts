import { BrokerHost } from './parse-broker-url';

/**
 * `host:port` of one broker, with an IPv6 address in brackets (`[::1]:4222`), for client options that take
 * a single string and for messages. `defaultPort` stands in when the URL gave none.
 */
export function formatHostPort(host: BrokerHost, defaultPort: number): string {
  const name = host.host.includes(':') ? `[${host.host}]` : host.host;
  return `${name}:${host.port ?? defaultPort}`;
}
