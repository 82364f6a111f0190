/** How the demo gets its JWTs: the in-process token issuer (default) or an external gateway. */
export type AuthStrategyName = 'password' | 'mtls';

/** Client TLS material given as file paths (`TLS_*_FILE`); PEM text works too. */
export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  pfx?: string;
  passphrase?: string;
}

/** The token side of the demo: who issues JWTs and how the API checks them. */
export interface DemoAuthConfig {
  /** External token endpoint; absent: the demo starts its own issuer (the "API gateway"). */
  tokenUrl?: string;
  strategy: AuthStrategyName;
  username: string;
  /** Absent with the in-process issuer: a random one is generated at start. Never logged. */
  password?: string;
  /** JSON field of the token answer holding the JWT. */
  tokenField: string;
  /** Lifetime of the tokens the in-process issuer signs, in seconds. */
  tokenTtlSeconds: number;
  /** `aud` claim the API requires (and the issuer signs). */
  audience: string;
  /** `iss` claim the API requires (and the issuer signs). */
  issuer: string;
  /** JWKS of an external gateway; required with `tokenUrl`. */
  jwksUrl?: string;
  /** Port of the in-process issuer (0: any free port). */
  issuerPort: number;
}

/** The sensor simulator: a few sensors publishing a reading every `intervalMs`. */
export interface SimulatorConfig {
  enabled: boolean;
  intervalMs: number;
  sensors: string[];
  /** How often the stored readings are logged (0: never). */
  reportMs: number;
  /** How often the simulated client recomputes a sensor's stats through the API (0: never). */
  statsMs: number;
}

/**
 * The demo's names on the task-queue broker. Two demos on one broker need different names, or they take each
 * other's tasks and see each other's notifications.
 */
export interface DemoQueueNames {
  /** The work queue of the stats tasks (`STATS_QUEUE`). */
  statsQueue: string;
  /** Fanout exchange of "stats are ready" events (`NOTIFICATIONS_EXCHANGE`). */
  notificationsExchange: string;
  /** Fanout exchange of failure log events (`LOGS_EXCHANGE`). */
  logsExchange: string;
}

/** Everything the demo reads from the environment (or `.env`), validated. */
export interface DemoConfig {
  port: number;
  host: string;
  /** Where the stats worker PUTs results (the API's own URL). */
  apiBaseUrl: string;
  streamingUrl: string;
  /** Consumer-group prefix of the dataset handlers. */
  streamingGroup: string;
  /** Stable id of this instance on the streaming broker (MQTT sessions); absent: host name and pid. */
  streamingClientId?: string;
  queueUrl: string;
  names: DemoQueueNames;
  simulator: SimulatorConfig;
  auth: DemoAuthConfig;
  tls: TlsFiles;
  /** Where the demo PKI (CA, server and client certificates) and the embedded database are kept. */
  dataDir: string;
  /**
   * The PostgreSQL of the readings and their outbox (`DATABASE_URL`); absent: the embedded PostgreSQL
   * (PGlite) in `<dataDir>/postgres`. Never logged with its password.
   */
  databaseUrl?: string;
  /** The schema of the demo's tables and the outbox's (`DATABASE_SCHEMA`). */
  databaseSchema: string;
  /** How long shutdown waits for in-flight handlers. */
  shutdownTimeoutMs: number;
  /** Optional Centrifugo push of notifications. */
  centrifugo?: { apiUrl: string; apiKey: string; channel: string };
}
