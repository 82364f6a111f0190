import { backoffDelay, BrokerCredentials, CredentialsProvider } from '@databus/common';
import { formatHostPort, tlsSocketOptions } from '@databus/common/internal';
import type { Auth, Authenticator, NodeConnectionOptions } from './nats-client';
import { TransportContext } from '../../transport/transport.interface';
import { ResolvedNatsOptions } from './nats.options';

const DEFAULT_PORT = 4222;

/** Reconnect attempts since the last successful connect, and the delay before the latest one. */
export interface ReconnectState {
  count: number;
  delayMs: number;
}

/** `host:port` entries for every broker of the URL (`nats://n1:4222,n2:4222`). */
export function natsServers(context: TransportContext): string[] {
  return context.url.hosts.map((h) => formatHostPort(h, DEFAULT_PORT));
}

/**
 * A synchronous authenticator over a `CredentialsProvider`: every (re)connect reads `current()`, so a
 * refreshed token is presented on the next reconnect without rebuilding the connection. A NATS user JWT
 * goes as `jwt` with an empty signature (bearer user JWT); a token (or JWT used as a bearer token) goes as
 * `auth_token`; a username goes with its password as `user`/`pass`.
 * When `current()` has nothing (expired), the last credentials seen are presented and the server decides.
 */
export function credentialsAuthenticator(provider: CredentialsProvider): Authenticator {
  let last: BrokerCredentials | undefined;
  return (): Auth => {
    const c = provider.current() ?? last;
    last = c;
    if (!c) return undefined;
    if (c.natsUserJwt) return { jwt: c.natsUserJwt, sig: '' };
    if (c.token) return { auth_token: c.token };
    if (c.username !== undefined) return { user: c.username, pass: c.password };
    if (c.password) return { auth_token: c.password };
    return undefined;
  };
}

/**
 * The nats.js connection options: every host of the URL, credentials through the authenticator, TLS from
 * `context.tls` (verification on unless `insecure` was set), and reconnect forever with the module's
 * backoff (`reconnectAttempt` counts attempts since the last successful connect and keeps the last delay).
 */
export function natsConnectOptions(
  context: TransportContext,
  options: ResolvedNatsOptions,
  reconnectAttempt: ReconnectState,
): NodeConnectionOptions {
  const tls = context.tls;
  return {
    servers: natsServers(context),
    name: context.clientId,
    authenticator: context.credentials ? credentialsAuthenticator(context.credentials) : undefined,
    tls: context.secure || tls ? { ...tlsSocketOptions(tls) } : undefined,
    reconnect: true,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: false,
    reconnectDelayHandler: () =>
      (reconnectAttempt.delayMs = backoffDelay(++reconnectAttempt.count, context.reconnect)),
    ignoreAuthErrorAbort: true,
    pingInterval: options.pingIntervalMs,
    maxPingOut: 2,
    timeout: Math.max(options.apiTimeoutMs, 2000),
    // nats.js otherwise builds two Error objects (a captured stack each) per request, one of them for a
    // timeout that almost never fires: a third of a JetStream publish's CPU. Its errors are mapped to
    // databus errors, which name the operation; the client's async stack adds nothing to them.
    noAsyncTraces: true,
  };
}
