import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, logCreator, SASLOptions } from 'kafkajs';
import {
  AuthenticationError,
  BrokerCredentials,
  BrokerUrl,
  ConfigurationError,
  CredentialsProvider,
  LoadedTls,
  redactText,
} from '@databus/common';
import { formatHostPort, tlsSocketOptions } from '@databus/common/internal';
import { TransportContext, TransportLogger } from '../../transport/transport.interface';
import { ResolvedKafkaOptions } from './kafka.options';
import { oauthBearerAuthenticator } from './kafkajs.oauthbearer';

/** A kafkajs client configuration and what to undo when the client closes. */
export interface BuiltKafkaConfig {
  config: KafkaConfig;
  /** The SASL mechanism in use (for logs; never the secret). */
  mechanism?: string;
  /** Removes the credentials refresh listener. */
  dispose(): void;
}

/** kafkajs log levels (kafkajs' `logLevel` enum values). */
const LEVELS = { nothing: 0, error: 1, warn: 2, info: 4, debug: 5 } as const;

/**
 * Builds the kafkajs configuration from the transport context:
 * - every host of `kafka://b1:9092,b2:9092` as a broker (port 9092 by default);
 * - TLS from `context.tls` when `context.secure` (verification on unless `insecure` was set);
 * - SASL PLAIN/SCRAM from `transportOptions.sasl`, the credentials provider or the URL, and OAUTHBEARER
 *   from the credentials provider (see `oauthBearerProvider`);
 * - kafkajs logs forwarded to the transport logger, redacted.
 * Reads the credentials once (`current()`, else `get()`), so a token exists before the first connection.
 */
export async function buildKafkaConfig(
  context: TransportContext,
  options: ResolvedKafkaOptions,
): Promise<BuiltKafkaConfig> {
  const credentials = context.credentials;
  const current = credentials ? (credentials.current() ?? (await credentials.get())) : undefined;
  const sasl = buildSasl(options.sasl, credentials, current, context.url);
  if (sasl && !context.secure && sasl.config.mechanism !== 'oauthbearer')
    context.logger.warn(
      `SASL ${sasl.config.mechanism.toUpperCase()} without TLS: credentials cross the network unencrypted (use kafka+ssl:// or tls).`,
    );
  const config: KafkaConfig = {
    clientId: context.clientId,
    brokers: context.url.hosts.map((h) => formatHostPort(h, 9092)),
    ssl: context.secure ? sslOptions(context.tls) : undefined,
    sasl: sasl?.config,
    connectionTimeout: options.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    authenticationTimeout: options.authenticationTimeoutMs,
    reauthenticationThreshold: options.reauthenticationThresholdMs,
    retry: {
      initialRetryTime: Math.max(1, context.reconnect.initialMs),
      maxRetryTime: context.reconnect.maxMs,
      retries: 5,
    },
    logLevel: LEVELS[options.logLevel],
    logCreator: forwardLogs(context.logger),
  };
  return { config, mechanism: sasl?.config.mechanism, dispose: sasl?.dispose ?? (() => undefined) };
}

/**
 * The kafkajs `oauthBearerProvider`: called on every SASL handshake (each connection, and each KIP-368
 * re-authentication). It returns the provider's cached token from `current()` and only calls `get()` when
 * nothing usable is cached, so tokens are never fetched per connection.
 */
export function oauthBearerProvider(credentials: CredentialsProvider): () => Promise<{ value: string }> {
  return async () => {
    const cached = credentials.current();
    const usable = (cached?.token ?? cached?.password) ? cached : await credentials.get();
    const value = usable?.token ?? usable?.password;
    if (!value) throw new AuthenticationError('The credentials provider gave no token for SASL OAUTHBEARER.');
    return { value };
  };
}

/** kafkajs TLS options from loaded material (`true`: system CAs, verification on). */
export function sslOptions(tls: LoadedTls | undefined): ConnectionOptions | true {
  return tls ? tlsSocketOptions(tls) : true;
}

function buildSasl(
  explicit: ResolvedKafkaOptions['sasl'],
  credentials: CredentialsProvider | undefined,
  current: BrokerCredentials | undefined,
  url: BrokerUrl,
): { config: SASLOptions; dispose(): void } | undefined {
  let mechanism = explicit?.mechanism;
  if (!mechanism) {
    if (current?.token) mechanism = 'oauthbearer';
    else if (explicit?.username ?? current?.username ?? url.username) mechanism = 'plain';
    else return undefined;
  }
  if (mechanism === 'oauthbearer') {
    if (!credentials)
      throw new ConfigurationError(
        'credentials',
        'a credentials provider giving a token (JwtAuthModule) for SASL OAUTHBEARER',
      );
    const provider = oauthBearerProvider(credentials);
    // kafkajs uses `authenticationProvider` when set (ours reads the broker's refusal, see the file).
    const config = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: provider,
      authenticationProvider: oauthBearerAuthenticator(provider),
    } as SASLOptions;
    return { config, dispose: () => undefined };
  }
  const username = explicit?.username ?? current?.username ?? url.username;
  const password = explicit?.password ?? current?.password ?? current?.token ?? url.password;
  if (!username || password === undefined)
    throw new ConfigurationError(
      'transportOptions.sasl',
      `a username and password for SASL ${mechanism.toUpperCase()} (in transportOptions.sasl, the credentials or the URL)`,
    );
  // kafkajs reads these fields at each handshake: a refreshed password reaches new connections.
  const config = { mechanism, username, password } as SASLOptions & { username: string; password: string };
  const dispose =
    explicit?.password === undefined && credentials
      ? credentials.onRefresh((next) => {
          if (next.username) config.username = next.username;
          const secret = next.password ?? next.token;
          if (secret !== undefined) config.password = secret;
        })
      : () => undefined;
  return { config, dispose };
}

/** kafkajs error lines that are per-socket failures (refused, reset, timed out). */
const SOCKET_FAILURE = /^(Connection error|Connection timeout|Failed to connect to seed broker)/;

function forwardLogs(logger: TransportLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const error = typeof log.error === 'string' ? `: ${log.error}` : '';
      const line = redactText(`kafkajs ${namespace}: ${log.message}${error}`);
      // Socket errors are reported by the suite itself (one line per connect attempt, reconnect warnings).
      if (level <= LEVELS.error && !SOCKET_FAILURE.test(log.message)) logger.warn(line);
      else logger.debug(line);
    };
}
