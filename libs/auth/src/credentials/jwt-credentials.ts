import { inspect } from 'node:util';
import type { BrokerCredentials, CredentialsProvider, CredentialsRefreshInfo } from '@databus/common';
import type { TokenRefreshedEvent } from '../jwt-manager.events';
import type { AccessToken } from '../token';

/**
 * What the provider needs from a token source: a `JwtManager` is one. (Structural, so this file and
 * `jwt-manager.ts` do not import each other.)
 */
export interface JwtTokenSource {
  getToken(): Promise<AccessToken>;
  current(): AccessToken | undefined;
  forceRefresh(stale?: AccessToken | string): Promise<AccessToken>;
  on(event: 'refreshed', listener: (event: TokenRefreshedEvent) => void): () => void;
}

/** How a token becomes broker credentials. @publicApi */
export interface JwtCredentialsOptions {
  /**
   * Username presented with the token as password (RabbitMQ's OAuth 2 backend ignores it; MQTT brokers
   * often want a fixed one). @default the token's `sub`, else undefined
   */
  username?: string;
}

/**
 * A `CredentialsProvider` (from @databus/common) backed by a `JwtManager`: `password` and `token` are the
 * JWT, `principal` its `sub`, `expiresAt` its expiry.
 * - `get()` waits for a usable token (single-flight with every other caller);
 * - `current()` is synchronous and never does I/O: it returns what the background refresh has cached, for the
 *   synchronous hooks of MQTT (`reconnect`) and NATS (`authenticator`);
 * - `onRefresh(listener)` runs after every refresh, with `principalChanged` when the `sub` changed (reconnect
 *   rather than re-authenticate in place);
 * - `renew(stale)` logs in again after the broker refused `stale` (`JwtManager.forceRefresh`, coalesced).
 * The returned credential objects print as `[BrokerCredentials …]`, never with the token.
 * @publicApi
 */
export function jwtCredentials(
  manager: JwtTokenSource,
  options: JwtCredentialsOptions = {},
): CredentialsProvider {
  return {
    get: async () => toCredentials(await manager.getToken(), options),
    current: () => {
      const token = manager.current();
      return token ? toCredentials(token, options) : undefined;
    },
    renew: async (stale?: BrokerCredentials) =>
      toCredentials(await manager.forceRefresh(stale?.token), options),
    onRefresh: (listener: (credentials: BrokerCredentials, info: CredentialsRefreshInfo) => void) =>
      manager.on('refreshed', (event) =>
        listener(toCredentials(event.token, options), { principalChanged: event.principalChanged }),
      ),
  };
}

function toCredentials(token: AccessToken, options: JwtCredentialsOptions): BrokerCredentials {
  const credentials: BrokerCredentials = {
    username: options.username ?? token.subject,
    password: token.value,
    token: token.value,
    principal: token.subject,
    expiresAt: token.expiresAt,
  };
  const printable = `[BrokerCredentials username=${credentials.username ?? '(none)'} token=${token.fingerprint}]`;
  Object.defineProperties(credentials, {
    toJSON: {
      value: () => ({ username: credentials.username, token: token.fingerprint, principal: token.subject }),
    },
    toString: { value: () => printable },
    [inspect.custom]: { value: () => printable },
  });
  return credentials;
}
