import type { Options } from 'amqplib';
import type { BrokerCredentials } from '../credentials';
import { BrokerHost, formatHostPort } from '../config';
import { LoadedTls, tlsSocketOptions } from '../tls';

const DEFAULT_PORTS = { amqp: 5672, amqps: 5671 } as const;

/** Where and how an AMQP client connects: everything but the (refreshable) credentials. */
export interface AmqpTarget {
  /** `amqps` (TLS) or `amqp`. */
  secure: boolean;
  hosts: readonly BrokerHost[];
  /** The URL path; `''` means the default vhost `/`. */
  vhost: string;
  /** Loaded TLS material (used with `secure` only). */
  tls?: LoadedTls;
  /** Static credentials (options, then URL), used when the provider gives none. */
  username?: string;
  password?: string;
  heartbeatSeconds: number;
  /** Timeout of one TCP/TLS connect and AMQP handshake. */
  socketTimeoutMs: number;
  /** Shown in the broker's management UI. */
  connectionName: string;
  /** `product` client property, e.g. `@databus/queue`. */
  product: string;
}

/** What `amqplib.connect` takes: the connection fields and the socket (TLS) options. */
export interface AmqpConnectArgs {
  connect: Options.Connect;
  socket: Record<string, unknown>;
}

/**
 * The secret and user of one attempt. Precedence: the provider's credentials (its token, else its password),
 * else the static ones (options, then URL). With no credentials at all, RabbitMQ's default `guest`/`guest`;
 * a secret without a user name (a JWT for the OAuth 2 backend) goes with an empty user name.
 */
export function amqpLogin(
  target: Pick<AmqpTarget, 'username' | 'password'>,
  credentials: BrokerCredentials | undefined,
): { username: string; password: string } {
  const providerSecret = credentials?.token ?? credentials?.password;
  const username =
    providerSecret !== undefined ? credentials?.username : (credentials?.username ?? target.username);
  const password = providerSecret ?? target.password;
  if (username === undefined && password === undefined) return { username: 'guest', password: 'guest' };
  return { username: username ?? target.username ?? '', password: password ?? '' };
}

/** The address of one host without secrets, e.g. `amqps://rabbit:5671/orders`. */
export function describeAmqpHost(target: Pick<AmqpTarget, 'secure' | 'vhost'>, host: BrokerHost): string {
  const scheme = target.secure ? 'amqps' : 'amqp';
  return `${scheme}://${formatHostPort(host, DEFAULT_PORTS[scheme])}${target.vhost ? `/${target.vhost}` : ''}`;
}

/**
 * Builds the arguments of one connection attempt to `host`: vhost from the URL path (`/` when empty), the
 * login of `amqpLogin`, and with TLS the common mapping (`tlsSocketOptions`): verification on unless
 * `insecure`, SNI set to the host name unless it is an IP address or `tls.servername` is set.
 */
export function amqpConnectArgs(
  target: AmqpTarget,
  host: BrokerHost,
  credentials: BrokerCredentials | undefined,
): AmqpConnectArgs {
  const protocol = target.secure ? 'amqps' : 'amqp';
  const login = amqpLogin(target, credentials);
  const connect: Options.Connect = {
    protocol,
    hostname: host.host,
    port: host.port ?? DEFAULT_PORTS[protocol],
    username: login.username,
    password: login.password,
    vhost: target.vhost === '' ? '/' : target.vhost,
    heartbeat: target.heartbeatSeconds,
  };
  const socket: Record<string, unknown> = {
    noDelay: true,
    timeout: target.socketTimeoutMs,
    clientProperties: { connection_name: target.connectionName, product: target.product },
  };
  if (target.secure) Object.assign(socket, tlsSocketOptions(target.tls, host.host));
  return { connect, socket };
}
