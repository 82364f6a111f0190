import type { AmqpTarget } from '@databus/common/amqp';
import type { ResolvedTaskQueueOptions } from '../../options/resolve-options';

/** The queue's connection target for the shared AMQP client: URL, TLS, static credentials, heartbeat. */
export function amqpTarget(options: ResolvedTaskQueueOptions, connectionName: string): AmqpTarget {
  return {
    secure: options.url.scheme === 'amqps',
    hosts: options.url.hosts,
    vhost: options.url.path,
    tls: options.tls,
    username: options.username,
    password: options.password,
    heartbeatSeconds: options.heartbeatSeconds,
    socketTimeoutMs: Math.min(options.connectTimeoutMs, 30_000),
    connectionName,
    product: '@databus/queue',
  };
}
