import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  assertDuration,
  assertInteger,
  ConfigurationError,
  loadTlsMaterial,
  redactUrl,
  TlsWarn,
} from '@databus/common';
import { assertKnownOptions } from '@databus/common/internal';
import { RealtimeModuleOptions, ResolvedRealtimeOptions } from './realtime-options.interface';

const OPTION = 'RealtimeModule';
const KNOWN = [
  'apiUrl',
  'apiKey',
  'timeoutMs',
  'agent',
  'keepAlive',
  'maxSockets',
  'tls',
] as const satisfies readonly (keyof RealtimeModuleOptions)[];

/** Default timeout of one API call (the Python client's default too). */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default socket pool size of the built-in agent. */
export const DEFAULT_MAX_SOCKETS = 64;

/**
 * Validates the options and builds the HTTP agent. Fails with a `ConfigurationError` naming the option;
 * the API key's value never appears in a message.
 */
export function resolveRealtimeOptions(
  options: RealtimeModuleOptions,
  warn?: TlsWarn,
): ResolvedRealtimeOptions {
  if (options === null || typeof options !== 'object')
    throw new ConfigurationError(OPTION, 'an options object with apiUrl and apiKey');
  assertKnownOptions(options, KNOWN, OPTION);
  const apiUrl = parseApiUrl(options.apiUrl);
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '')
    throw new ConfigurationError(`${OPTION}.apiKey`, 'the Centrifugo HTTP API key, a non-empty string', {
      received: options.apiKey === undefined ? 'undefined' : `a ${typeof options.apiKey}`,
    });
  const timeoutMs = assertDuration(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, `${OPTION}.timeoutMs`, 1);
  const endpoint = redactUrl(apiUrl.href.replace(/\/+$/, ''));
  if (options.agent !== undefined) {
    if (!(options.agent instanceof HttpAgent))
      throw new ConfigurationError(`${OPTION}.agent`, 'an http.Agent or https.Agent');
    for (const key of ['tls', 'keepAlive', 'maxSockets'] as const)
      if (options[key] !== undefined)
        throw new ConfigurationError(
          `${OPTION}.${key}`,
          'to be left out when a custom agent is given (configure the agent)',
        );
    return { apiUrl, endpoint, apiKey: options.apiKey, timeoutMs, agent: options.agent, ownsAgent: false };
  }
  const keepAlive = options.keepAlive ?? true;
  const maxSockets = assertInteger(options.maxSockets ?? DEFAULT_MAX_SOCKETS, `${OPTION}.maxSockets`, 1);
  const https = apiUrl.protocol === 'https:';
  if (options.tls !== undefined && !https)
    throw new ConfigurationError(
      `${OPTION}.tls`,
      'an https: apiUrl (TLS options were given for an http: URL)',
    );
  const agent = https
    ? new HttpsAgent({ keepAlive, maxSockets, ...loadTlsMaterial(options.tls ?? {}, `${OPTION}.tls`, warn) })
    : new HttpAgent({ keepAlive, maxSockets });
  return { apiUrl, endpoint, apiKey: options.apiKey, timeoutMs, agent, ownsAgent: true };
}

function parseApiUrl(value: unknown): URL {
  const expected = 'an http(s) URL of the Centrifugo HTTP API, e.g. http://localhost:8000/api';
  if (typeof value !== 'string' || value.trim() === '')
    throw new ConfigurationError(`${OPTION}.apiUrl`, expected, {
      received: value === undefined ? 'undefined' : `a ${typeof value}`,
    });
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigurationError(`${OPTION}.apiUrl`, expected, { received: `"${redactUrl(value)}"`, cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigurationError(`${OPTION}.apiUrl`, expected, { received: `scheme "${url.protocol}"` });
  if (url.search || url.hash)
    throw new ConfigurationError(
      `${OPTION}.apiUrl`,
      'a URL without query or fragment (the API key goes in apiKey)',
    );
  return url;
}
