import { hostname } from 'node:os';
import {
  assertDuration,
  assertNonEmptyString,
  BrokerUrl,
  ConfigurationError,
  CredentialsProvider,
  DatabusMetrics,
  LoadedTls,
  loadTlsMaterial,
  parseBrokerUrl,
  resolveBackoff,
  ResolvedBackoff,
  staticCredentials,
} from '@databus/common';
import {
  assertKnownOptions,
  assertTlsScheme,
  DEFAULT_CONNECT_TIMEOUT_MS,
  resolveMetrics,
} from '@databus/common/internal';
import { accountServerTransportFactory } from '../account-server/account-server.transport';
import {
  ResolvedAccountServerOptions,
  resolveAccountServerOptions,
} from '../account-server/account-server.options';
import { TransportFactory, TransportName } from '../transport/transport.interface';
import { transportForScheme } from '../transports/registry';
import { ConsumerOptions, StreamingModuleOptions } from './streaming-options.interface';

/** Streaming options with every default applied and every value checked. */
export interface ResolvedStreamingOptions {
  url: BrokerUrl;
  /** The URL as given, for logs (password redacted by callers). */
  rawUrl: string;
  transportName: TransportName | 'custom';
  customTransport?: TransportFactory;
  secure: boolean;
  tls?: LoadedTls;
  credentials?: CredentialsProvider;
  transportOptions: Record<string, unknown>;
  group?: string;
  clientId: string;
  retryOnFail: boolean;
  reconnect: ResolvedBackoff;
  produceTimeoutMs: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  groupExpiryMs: number;
  patternRefreshMs: number;
  consumerDefaults: ConsumerOptions;
  handlers: boolean;
  metrics: DatabusMetrics;
  tracing: boolean;
}

const KNOWN_OPTIONS = new Set([
  'url',
  'transport',
  'accountServer',
  'transportOptions',
  'group',
  'clientId',
  'tls',
  'credentials',
  'retryOnFail',
  'reconnect',
  'produceTimeoutMs',
  'connectTimeoutMs',
  'requestTimeoutMs',
  'shutdownTimeoutMs',
  'groupExpiryMs',
  'patternRefreshMs',
  'consumerDefaults',
  'handlers',
  'logger',
  'metrics',
  'tracing',
]);

/**
 * Applies defaults and validates `StreamingModule` options; a bad value fails with a `ConfigurationError`
 * naming the option (`StreamingModule.<option>`). Pure apart from reading TLS files and `STREAMING_URL`.
 */
export function resolveStreamingOptions(
  raw: StreamingModuleOptions | undefined,
  warn: (message: string) => void = () => undefined,
): ResolvedStreamingOptions {
  const options = raw ?? {};
  if (typeof options !== 'object') throw new ConfigurationError('StreamingModule options', 'an object');
  assertKnownOptions(options, KNOWN_OPTIONS, 'StreamingModule');
  const o = (name: string): string => `StreamingModule.${name}`;

  const accountServer = resolveAccountServer(options);
  // Only an absent key falls back: `url: process.env.STREAMNG_URL` (a typo, so undefined) must not run on memory.
  if (!accountServer && 'url' in options && (options.url === undefined || options.url === ''))
    throw new ConfigurationError(
      o('url'),
      'a broker URL such as kafka://host:9092 (leave the key out to use STREAMING_URL or memory://default)',
      { received: options.url === undefined ? 'undefined' : 'an empty string' },
    );
  const rawUrl = accountServer?.configUrl ?? options.url ?? process.env.STREAMING_URL ?? 'memory://default';
  const url = parseBrokerUrl(rawUrl, o('url'));
  let transportName: TransportName | 'custom';
  let secure = false;
  if (accountServer) transportName = 'custom';
  else if (options.transport !== undefined) {
    if (typeof options.transport !== 'function')
      throw new ConfigurationError(o('transport'), 'a transport factory function');
    transportName = 'custom';
  } else {
    ({ transport: transportName, secure } = transportForScheme(url.scheme, o('url')));
    // TLS is never switched on quietly against a plain port: amqp://, mqtt://, kafka:// with tls are refused.
    if (options.tls !== undefined) assertTlsScheme(url.scheme, o('tls'));
    if (transportName !== 'memory' && url.hosts.length === 0)
      throw new ConfigurationError(o('url'), `at least one host for ${url.scheme}://`);
  }
  const tls = options.tls !== undefined ? loadTlsMaterial(options.tls, o('tls'), warn) : undefined;
  if (
    options.transportOptions !== undefined &&
    (typeof options.transportOptions !== 'object' || options.transportOptions === null)
  )
    throw new ConfigurationError(o('transportOptions'), 'an object');
  if (options.group !== undefined) assertNonEmptyString(options.group, o('group'));
  if (options.clientId !== undefined) assertNonEmptyString(options.clientId, o('clientId'));
  if (options.retryOnFail !== undefined && typeof options.retryOnFail !== 'boolean')
    throw new ConfigurationError(o('retryOnFail'), 'a boolean');
  if (options.handlers !== undefined && typeof options.handlers !== 'boolean')
    throw new ConfigurationError(o('handlers'), 'a boolean');
  return {
    url,
    rawUrl,
    transportName,
    customTransport: accountServer ? accountServerTransportFactory(accountServer) : options.transport,
    secure: secure || tls !== undefined,
    tls,
    credentials: resolveCredentials(options.credentials, url, o('credentials')),
    transportOptions: { ...(options.transportOptions ?? {}) },
    group: options.group,
    clientId: options.clientId ?? `databus-${hostname()}-${process.pid}`,
    retryOnFail: options.retryOnFail ?? true,
    reconnect: resolveBackoff(options.reconnect, o('reconnect')),
    produceTimeoutMs: assertDuration(options.produceTimeoutMs ?? 30_000, o('produceTimeoutMs'), 1),
    connectTimeoutMs: assertDuration(
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      o('connectTimeoutMs'),
      1,
    ),
    requestTimeoutMs: assertDuration(options.requestTimeoutMs ?? 30_000, o('requestTimeoutMs'), 1),
    shutdownTimeoutMs: assertDuration(options.shutdownTimeoutMs ?? 10_000, o('shutdownTimeoutMs'), 0),
    groupExpiryMs: assertDuration(
      options.groupExpiryMs ?? 7 * 24 * 3600_000,
      o('groupExpiryMs'),
      1000,
      Number.MAX_SAFE_INTEGER,
    ),
    patternRefreshMs: assertDuration(options.patternRefreshMs ?? 5_000, o('patternRefreshMs'), 10),
    consumerDefaults: { ...(options.consumerDefaults ?? {}) },
    handlers: options.handlers ?? true,
    metrics: resolveMetrics(options.metrics, o('metrics')),
    tracing: options.tracing ?? true,
  };
}

/** `accountServer` with the module's `tls`, or undefined; it excludes `url` and `transport`. */
function resolveAccountServer(options: StreamingModuleOptions): ResolvedAccountServerOptions | undefined {
  if (options.accountServer === undefined) return undefined;
  for (const other of ['url', 'transport'] as const)
    if (options[other] !== undefined)
      throw new ConfigurationError(
        `StreamingModule.${other}`,
        'no value next to accountServer (the account server says where NATS is)',
      );
  return resolveAccountServerOptions(options.accountServer, options.tls);
}

function resolveCredentials(
  value: StreamingModuleOptions['credentials'],
  url: BrokerUrl,
  option: string,
): CredentialsProvider | undefined {
  if (value === undefined)
    return url.username !== undefined
      ? staticCredentials({ username: url.username, password: url.password })
      : undefined;
  if (typeof value !== 'object' || value === null)
    throw new ConfigurationError(option, 'credentials ({ username, password } or a CredentialsProvider)');
  if (
    typeof (value as CredentialsProvider).get === 'function' &&
    typeof (value as CredentialsProvider).current === 'function'
  )
    return value as CredentialsProvider;
  return staticCredentials(value as Parameters<typeof staticCredentials>[0]);
}
