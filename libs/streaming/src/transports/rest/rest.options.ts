import { assertDuration, assertNonEmptyString, BrokerUrl, ConfigurationError } from '@databus/common';
import { assertKnownOptions, formatHostPort } from '@databus/common/internal';

/** Default path of the consumer service (create, subscribe, records, offsets, delete). */
export const DEFAULT_CONSUMER_PATH_PREFIX = '/databus/consumer-service/v1';
/** Default path of the producer service (`/produce`). */
export const DEFAULT_PRODUCER_PATH_PREFIX = '/databus/cloudproxy/v1';

/**
 * Options of the REST streaming service transport (`transportOptions` with `rest+https://` or
 * `rest+http://`). Each may also be given as a query parameter of the URL (`?pathPrefix=/api`).
 * @publicApi
 */
export interface RestStreamingTransportOptions {
  /** When set, replaces both prefixes below (the seed channel's `path_prefix`). */
  pathPrefix?: string;
  /** Path of the consumer service under the base URL. @default '/databus/consumer-service/v1' */
  consumerPathPrefix?: string;
  /** Path of the producer service under the base URL. @default '/databus/cloudproxy/v1' */
  producerPathPrefix?: string;
  /** Least time between two polls of a consumer's records that returned nothing. @default 1_000 */
  pollIntervalMs?: number;
  /** Time limit of one HTTP call to the service. @default 30_000 */
  httpTimeoutMs?: number;
}

/** The transport's options with defaults applied. */
export interface ResolvedRestOptions {
  /** `https://host:port/base` without a trailing slash. */
  baseUrl: string;
  consumerPathPrefix: string;
  producerPathPrefix: string;
  pollIntervalMs: number;
  httpTimeoutMs: number;
}

const KNOWN = ['pathPrefix', 'consumerPathPrefix', 'producerPathPrefix', 'pollIntervalMs', 'httpTimeoutMs'];

/**
 * Builds the base URL from `rest+https://host[:port][/base]` and validates the options (URL query values
 * first, then `transportOptions`, which win). Errors name the option.
 */
export function resolveRestOptions(
  url: BrokerUrl,
  secure: boolean,
  raw: Record<string, unknown>,
): ResolvedRestOptions {
  assertKnownOptions(raw, KNOWN, 'transportOptions');
  if (url.hosts.length !== 1)
    throw new ConfigurationError('url', 'exactly one host for the REST streaming service', {
      received: `${url.hosts.length} hosts`,
    });
  const merged: Record<string, unknown> = { ...url.query, ...raw };
  const prefix = (key: string, fallback: string): string => {
    const value = merged[key];
    if (value === undefined) return fallback;
    const text = assertNonEmptyString(value, `transportOptions.${key}`);
    return `/${text.replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  };
  const shared = merged.pathPrefix !== undefined ? prefix('pathPrefix', '') : undefined;
  const basePath = url.path ? `/${url.path.replace(/^\/+|\/+$/g, '')}` : '';
  return {
    baseUrl: `${secure ? 'https' : 'http'}://${formatHostPort(url.hosts[0], secure ? 443 : 80)}${basePath}`,
    consumerPathPrefix: shared ?? prefix('consumerPathPrefix', DEFAULT_CONSUMER_PATH_PREFIX),
    producerPathPrefix: shared ?? prefix('producerPathPrefix', DEFAULT_PRODUCER_PATH_PREFIX),
    pollIntervalMs: assertDuration(
      Number(merged.pollIntervalMs ?? 1_000),
      'transportOptions.pollIntervalMs',
      1,
    ),
    httpTimeoutMs: assertDuration(
      Number(merged.httpTimeoutMs ?? 30_000),
      'transportOptions.httpTimeoutMs',
      1,
    ),
  };
}
