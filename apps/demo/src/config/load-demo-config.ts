import { join } from 'node:path';
import { assertInteger, assertOneOf, ConfigurationError, redactUrl } from '@databus/common';
import { AuthStrategyName, DemoConfig, DemoQueueNames, TlsFiles } from './demo-config.interface';

/** Environment variables as read by the demo (`process.env` plus overrides). */
export type DemoEnv = Record<string, string | undefined>;

const SENSOR_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Reads and validates the demo configuration; a bad value fails with the variable's name. */
export function loadDemoConfig(env: DemoEnv): DemoConfig {
  const port = int(env, 'PORT', 3000, 0, 65_535);
  const host = text(env, 'HOST') ?? '127.0.0.1';
  const apiBaseUrl = url(env, 'API_BASE_URL') ?? `http://${urlHost(host)}:${port}`;
  const sensors = (text(env, 'SIMULATOR_SENSORS') ?? 'greenhouse-1,greenhouse-2,cold-room')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const sensor of sensors)
    if (!SENSOR_ID.test(sensor))
      throw new ConfigurationError('SIMULATOR_SENSORS', 'comma-separated ids of letters, digits, - and _', {
        received: JSON.stringify(sensor),
      });
  const tokenUrl = url(env, 'AUTH_TOKEN_URL');
  const jwksUrl = url(env, 'AUTH_JWKS_URL');
  if (tokenUrl && !jwksUrl)
    throw new ConfigurationError('AUTH_JWKS_URL', 'the JWKS URL of the gateway at AUTH_TOKEN_URL');
  const centrifugoUrl = url(env, 'CENTRIFUGO_API_URL');
  const centrifugoKey = text(env, 'CENTRIFUGO_API_KEY');
  if (centrifugoUrl && !centrifugoKey)
    throw new ConfigurationError(
      'CENTRIFUGO_API_KEY',
      'the HTTP API key of the Centrifugo at CENTRIFUGO_API_URL',
    );
  return {
    port,
    host,
    apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''),
    streamingUrl: text(env, 'STREAMING_URL') ?? 'memory://demo',
    streamingGroup: text(env, 'STREAMING_GROUP') ?? 'sensor-hub',
    streamingClientId: text(env, 'STREAMING_CLIENT_ID'),
    queueUrl: text(env, 'QUEUE_URL') ?? 'memory://demo',
    names: loadQueueNames(env),
    simulator: {
      enabled: bool(env, 'SIMULATOR', true),
      intervalMs: int(env, 'SIMULATOR_INTERVAL_MS', 1000, 10, 3_600_000),
      sensors,
      reportMs: int(env, 'SIMULATOR_REPORT_MS', 10_000, 0, 3_600_000),
      statsMs: int(env, 'SIMULATOR_STATS_MS', 15_000, 0, 3_600_000),
    },
    auth: {
      tokenUrl,
      strategy: assertOneOf<AuthStrategyName>(text(env, 'AUTH_STRATEGY') ?? 'password', 'AUTH_STRATEGY', [
        'password',
        'mtls',
      ]),
      username: text(env, 'AUTH_USERNAME') ?? 'sensor-hub',
      password: text(env, 'AUTH_PASSWORD'),
      tokenField: text(env, 'AUTH_TOKEN_FIELD') ?? 'access_token',
      tokenTtlSeconds: int(env, 'AUTH_TOKEN_TTL_SECONDS', 60, 1, 86_400),
      audience: text(env, 'AUTH_AUDIENCE') ?? 'sensor-hub-api',
      issuer: text(env, 'AUTH_ISSUER') ?? 'databus-demo-gateway',
      jwksUrl,
      issuerPort: int(env, 'AUTH_ISSUER_PORT', 0, 0, 65_535),
    },
    tls: tlsFiles(env),
    dataDir: text(env, 'DEMO_DATA_DIR') ?? join(__dirname, '..', '..', '.data'),
    databaseUrl: postgresUrl(env, 'DATABASE_URL'),
    databaseSchema: identifier(env, 'DATABASE_SCHEMA') ?? 'public',
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    centrifugo: centrifugoUrl
      ? {
          apiUrl: centrifugoUrl,
          apiKey: centrifugoKey as string,
          channel: text(env, 'CENTRIFUGO_CHANNEL') ?? 'notifications',
        }
      : undefined,
  };
}

const QUEUE_NAME = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * The queue and exchange names (`STATS_QUEUE`, `NOTIFICATIONS_EXCHANGE`, `LOGS_EXCHANGE`). `AppModule.forRoot`
 * reads them too: the handler decorators need them when the module is built.
 */
export function loadQueueNames(env: DemoEnv): DemoQueueNames {
  const name = (variable: string, fallback: string): string => {
    const value = text(env, variable) ?? fallback;
    if (!QUEUE_NAME.test(value))
      throw new ConfigurationError(
        variable,
        'a queue or exchange name of letters, digits, _ . : and - (at most 200)',
        {
          received: JSON.stringify(value),
        },
      );
    return value;
  };
  const names = {
    statsQueue: name('STATS_QUEUE', 'stats'),
    notificationsExchange: name('NOTIFICATIONS_EXCHANGE', 'notifications'),
    logsExchange: name('LOGS_EXCHANGE', 'logs'),
  };
  if (names.notificationsExchange === names.logsExchange)
    throw new ConfigurationError('LOGS_EXCHANGE', 'an exchange other than NOTIFICATIONS_EXCHANGE', {
      received: JSON.stringify(names.logsExchange),
    });
  return names;
}

function tlsFiles(env: DemoEnv): TlsFiles {
  const files: TlsFiles = {
    ca: text(env, 'TLS_CA_FILE'),
    cert: text(env, 'TLS_CERT_FILE'),
    key: text(env, 'TLS_KEY_FILE'),
    pfx: text(env, 'TLS_PFX_FILE'),
    passphrase: text(env, 'TLS_PASSPHRASE'),
  };
  if ((files.cert === undefined) !== (files.key === undefined))
    throw new ConfigurationError('TLS_CERT_FILE / TLS_KEY_FILE', 'both set, or neither');
  return Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined)) as TlsFiles;
}

function text(env: DemoEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function int(env: DemoEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  return assertInteger(Number.isNaN(value) ? raw : value, name, min, max);
}

function bool(env: DemoEnv, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new ConfigurationError(name, 'on/off (also true/false, 1/0, yes/no)', {
    received: JSON.stringify(raw),
  });
}

function url(env: DemoEnv, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigurationError(name, 'an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ConfigurationError(name, 'an http:// or https:// URL', { received: parsed.protocol });
  return raw;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** A `postgres://` / `postgresql://` URL, or undefined when unset. */
function postgresUrl(env: DemoEnv, name: string): string | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  if (!/^postgres(ql)?:\/\/[^\s]+$/.test(value))
    throw new ConfigurationError(
      name,
      'a postgres://user@host:port/database URL (unset: the embedded PostgreSQL)',
      {
        received: JSON.stringify(redactUrl(value)),
      },
    );
  return value;
}

/** A plain SQL identifier (it is pasted into statements), or undefined when unset. */
function identifier(env: DemoEnv, name: string): string | undefined {
  const value = text(env, name);
  if (value !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value))
    throw new ConfigurationError(name, 'a PostgreSQL identifier (letters, digits, _; at most 63)', {
      received: JSON.stringify(value),
    });
  return value;
}
