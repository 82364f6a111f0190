import { BrokerHost } from './parse-broker-url';

/**
 * `host:port` of one broker, with an IPv6 address in brackets (`[::1]:4222`), for client options that take
 * a single string and for messages. `defaultPort` stands in when the URL gave none; without one, a host
 * given without a port is written alone (`rabbit-1`).
 */
export function formatHostPort(host: BrokerHost, defaultPort?: number): string {
  const name = host.host.includes(':') ? `[${host.host}]` : host.host;
  const port = host.port ?? defaultPort;
  return port === undefined ? name : `${name}:${port}`;
}
