import type { JwtManager } from '../jwt-manager';

/** What kafkajs' `sasl.oauthBearerProvider` must resolve to. @publicApi */
export interface OauthBearerToken {
  value: string;
  extensions?: Record<string, string>;
}

/**
 * A kafkajs SASL OAUTHBEARER provider: `sasl: { mechanism: 'oauthbearer', oauthBearerProvider:
 * oauthBearerProvider(manager) }`. kafkajs calls it on every connection's (re)authentication (two connections
 * per broker per client), so it answers from the cached token and only waits for the manager when no usable
 * token is cached; it never fetches per call.
 * @publicApi
 */
export function oauthBearerProvider(
  manager: JwtManager,
  options: { extensions?: Record<string, string> } = {},
): () => Promise<OauthBearerToken> {
  return async () => {
    const token = manager.current() ?? (await manager.getToken());
    return options.extensions
      ? { value: token.value, extensions: { ...options.extensions } }
      : { value: token.value };
  };
}
