import { formatHostPort, type MessagingCatalog } from '@databus/common/internal';

/** An AsyncAPI 3.0 Server Object. */
export interface AsyncApiServer {
  host: string;
  protocol: string;
  pathname?: string;
  title?: string;
  description?: string;
}

/**
 * AsyncAPI protocol names of the URL schemes; `memory` has none (the embedded broker lives in the process and
 * nothing outside can connect to it), so a memory connection adds no server.
 */
const PROTOCOLS: Record<string, string> = {
  kafka: 'kafka',
  'kafka+ssl': 'kafka-secure',
  amqp: 'amqp',
  amqps: 'amqps',
  mqtt: 'mqtt',
  mqtts: 'secure-mqtt',
  nats: 'nats',
  tls: 'nats',
  'rest+http': 'http',
  'rest+https': 'https',
};

/** The id under which a connection's servers are listed: `streaming`, `queue`, `streaming-audit`. */
export function serverBaseId(catalog: Pick<MessagingCatalog, 'library' | 'connection'>): string {
  return catalog.connection === 'default' ? catalog.library : `${catalog.library}-${catalog.connection}`;
}

/**
 * The servers of one connection, one per host of a cluster URL (AsyncAPI gives a server one host), keyed
 * `<base>` for the first and `<base>-2`, `<base>-3`… for the others. No user, password or query: the catalog
 * never carries them.
 */
export function serversOf(catalog: MessagingCatalog): Record<string, AsyncApiServer> {
  const protocol = PROTOCOLS[catalog.server.scheme];
  if (!protocol) return {};
  const base = serverBaseId(catalog);
  const servers: Record<string, AsyncApiServer> = {};
  catalog.server.hosts.forEach((host, i) => {
    const server: AsyncApiServer = { host: formatHostPort(host), protocol };
    if (catalog.server.path) server.pathname = `/${catalog.server.path}`;
    if (catalog.server.scheme === 'tls') server.description = 'NATS with TLS';
    if (catalog.server.hosts.length > 1)
      server.title = `${base} (host ${i + 1} of ${catalog.server.hosts.length})`;
    servers[i === 0 ? base : `${base}-${i + 1}`] = server;
  });
  return servers;
}
