import { formatHostPort } from './host-port';
import type { BrokerUrl } from './parse-broker-url';

/**
 * A broker URL fit for logs and error messages: scheme, hosts and path, never the user or password,
 * e.g. `amqp://rabbit-1:5672,rabbit-2/orders`. IPv6 hosts are bracketed.
 */
export function describeBrokerUrl(url: BrokerUrl): string {
  const hosts = url.hosts.map((h) => formatHostPort(h)).join(',');
  return `${url.scheme}://${hosts}${url.path ? `/${url.path}` : ''}`;
}
