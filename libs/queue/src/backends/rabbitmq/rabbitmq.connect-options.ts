import { isIP } from 'node:net';
import type { Options } from 'amqplib';
import type { BrokerCredentials, BrokerHost } from '@databus/common';
import type { ResolvedTaskQueueOptions } from '../../options/resolve-options';

const DEFAULT_PORTS = { amqp: 5672, amqps: 5671 } as const;

/** What `amqplib.connect` takes: the connection fields and the socket (TLS) options. */
export interface AmqpConnectArgs {
  connect: Options.Connect;
  socket: Record<string, unknown>;
}

/**
 * Builds the arguments of one connection attempt to `host`.
 * - credentials: the provider's (password = token when there is one), else the options', else the URL's;
 * - vhost: the URL path (`/` when empty);
 * - TLS: the loaded material, SNI set to the host name unless it is an IP address or `tls.servername` is set.
 */
export function amqpConnectArgs(
  options: ResolvedTaskQueueOptions,
  host: BrokerHost,
  credentials: BrokerCredentials | undefined,
  connectionName: string,
): AmqpConnectArgs {
  const protocol = options.url.scheme === 'amqps' ? 'amqps' : 'amqp';
  const connect: Options.Connect = {
    protocol,
    hostname: host.host,
    port: host.port ?? DEFAULT_PORTS[protocol],
    username: credentials?.username ?? options.username ?? 'guest',
    password: credentials?.token ?? credentials?.password ?? options.password ?? 'guest',
    vhost: options.url.path === '' ? '/' : options.url.path,
    heartbeat: options.heartbeatSeconds,
  };
  const socket: Record<string, unknown> = {
    noDelay: true,
    timeout: Math.min(options.connectTimeoutMs, 30_000),
    clientProperties: { connection_name: connectionName, product: '@databus/queue' },
  };
  if (protocol === 'amqps') {
    const tls = options.tls;
    Object.assign(socket, {
      rejectUnauthorized: tls?.rejectUnauthorized ?? true,
      servername: tls?.servername ?? (isIP(host.host) ? undefined : host.host),
    });
    if (tls?.ca) socket.ca = tls.ca;
    if (tls?.cert) socket.cert = tls.cert;
    if (tls?.key) socket.key = tls.key;
    if (tls?.pfx) socket.pfx = tls.pfx;
    if (tls?.passphrase !== undefined) socket.passphrase = tls.passphrase;
  }
  return { connect, socket };
}
