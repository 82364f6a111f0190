/**
 * Credentials a broker connection presents. Which fields a transport uses is transport-specific
 * (AMQP/MQTT: username + password, where the password may be a token; Kafka: OAUTHBEARER token; NATS: token).
 * @publicApi
 */
export interface BrokerCredentials {
  username?: string;
  /** A password, or a token used as the password. Never logged. */
  password?: string;
  /** A bearer token (JWT). Never logged. */
  token?: string;
  /**
   * A NATS user JWT (decentralised auth), presented as `jwt` in CONNECT with an empty signature: a bearer
   * user JWT, as the dataset client's account server issues. Never logged.
   */
  natsUserJwt?: string;
  /** Who the credentials identify (the JWT `sub`); a change means "reconnect", not "re-authenticate". */
  principal?: string;
  /** When the credentials stop being valid, epoch milliseconds. */
  expiresAt?: number;
}

/** What a refresh listener is told besides the new credentials. */
export interface CredentialsRefreshInfo {
  /** True when the principal (`sub`) differs from the previous credentials' principal. */
  principalChanged: boolean;
}

/**
 * The seam between credential sources (the auth lib's `JwtManager`, a static password) and broker
 * transports. Transports read `current()` in synchronous hooks (MQTT, NATS) and `get()` before connecting,
 * and listen to `onRefresh` to push a new secret into a live connection (AMQP `updateSecret`) or to plan a
 * reconnect.
 * @publicApi
 */
export interface CredentialsProvider {
  /** Usable credentials, fetching them first when none are cached. */
  get(): Promise<BrokerCredentials>;
  /** The cached credentials when still usable, without any I/O; `undefined` when there are none. */
  current(): BrokerCredentials | undefined;
  /** Calls `listener` after every successful refresh; returns a function that removes it. */
  onRefresh(listener: (credentials: BrokerCredentials, info: CredentialsRefreshInfo) => void): () => void;
  /**
   * Replaces credentials the broker refused (an HTTP 401/403, a rejected token): logs in again and resolves
   * with the new credentials. `stale` is what was refused, so concurrent callers share one login. Absent on
   * providers that cannot renew (fixed credentials): the refusal is then final.
   */
  renew?(stale?: BrokerCredentials): Promise<BrokerCredentials>;
}

/** A provider of fixed credentials (username/password from configuration or the environment). @publicApi */
export function staticCredentials(credentials: BrokerCredentials): CredentialsProvider {
  const frozen = Object.freeze({ ...credentials });
  return { get: async () => frozen, current: () => frozen, onRefresh: () => () => undefined };
}
