import type * as http from 'node:http';
import { inspect } from 'node:util';
import {
  AuthenticationError,
  BrokerCredentials,
  CredentialsProvider,
  CredentialsRefreshInfo,
  PermanentError,
  TemporaryError,
} from '@databus/common';
import { HttpServiceResponse, sendHttpRequest } from '../http/http-request';
import { TransportLogger } from '../transport/transport.interface';

/** The gateway token source the MAS calls need (a `JwtManager` fits). */
export interface GatewayToken {
  getHeaders(): Promise<{ Authorization: string }>;
  forceRefresh(): Promise<unknown>;
}

/**
 * The NATS user JWT of one dataset, from `GET {mas_url}/api/v1/user/jwt/{dataset}` with the gateway JWT as
 * bearer (the answer is the raw JWT text). `get()` fetches once for concurrent callers; `refetch()` fetches
 * a fresh one in the background, which the transport calls when its connection drops so that the next
 * reconnect presents a new JWT (the dataset client fetches it on every connect); `current()` is what the
 * synchronous NATS authenticator presents. A 401/403 refreshes the gateway JWT once and asks again.
 */
export class MasUserJwt implements CredentialsProvider {
  private cached?: BrokerCredentials;
  private inflight?: Promise<BrokerCredentials>;
  private readonly listeners = new Set<(c: BrokerCredentials, info: CredentialsRefreshInfo) => void>();

  constructor(
    private readonly agent: http.Agent,
    private readonly masUrl: string,
    readonly dataset: string,
    private readonly gateway: GatewayToken,
    private readonly timeoutMs: number,
    private readonly logger: TransportLogger,
  ) {}

  get(): Promise<BrokerCredentials> {
    return this.cached ? Promise.resolve(this.cached) : this.fetch();
  }

  current(): BrokerCredentials | undefined {
    return this.cached;
  }

  onRefresh(listener: (c: BrokerCredentials, info: CredentialsRefreshInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  renew(): Promise<BrokerCredentials> {
    return this.fetch();
  }

  /** Fetches a new JWT in the background; a failure keeps the previous one and is logged. */
  refetch(): void {
    this.fetch().catch((error: Error) =>
      this.logger.warn(`Could not renew the NATS user JWT of "${this.dataset}": ${error.message}`),
    );
  }

  private fetch(): Promise<BrokerCredentials> {
    if (!this.inflight) {
      this.inflight = this.request().finally(() => (this.inflight = undefined));
    }
    return this.inflight;
  }

  private async request(): Promise<BrokerCredentials> {
    const url = `${this.masUrl}/api/v1/user/jwt/${encodeURIComponent(this.dataset)}`;
    let response = await this.call(url);
    if (response.status === 401 || response.status === 403) {
      await this.gateway.forceRefresh();
      response = await this.call(url);
    }
    const where = `GET ${url}`;
    if (response.status === 401 || response.status === 403)
      throw new AuthenticationError(`${where}: the MAS refused the gateway JWT (HTTP ${response.status}).`);
    if (response.status >= 500 || response.status === 429)
      throw new TemporaryError(`${where}: the MAS answered HTTP ${response.status}.`);
    const jwt = response.body.trim();
    if (response.status !== 200 || jwt === '' || /\s/.test(jwt))
      throw new PermanentError(`${where}: the MAS answered HTTP ${response.status} without a user JWT.`);
    const previous = this.cached;
    const credentials = hidden({ natsUserJwt: jwt, principal: subjectOf(jwt) });
    this.cached = credentials;
    const info = { principalChanged: previous !== undefined && previous.principal !== credentials.principal };
    for (const listener of [...this.listeners]) listener(credentials, info);
    return credentials;
  }

  private async call(url: string): Promise<HttpServiceResponse> {
    const headers = await this.gateway.getHeaders();
    return sendHttpRequest(this.agent, {
      method: 'GET',
      url,
      headers: { accept: 'application/jwt, text/plain', authorization: headers.Authorization },
      timeoutMs: this.timeoutMs,
      peer: 'the MAS',
    });
  }
}

/** The `sub` of a JWT (the NATS user's public key), read without verification. */
function subjectOf(jwt: string): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
    };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/** Credentials that print without the JWT. */
function hidden(credentials: BrokerCredentials): BrokerCredentials {
  const printable = `[BrokerCredentials natsUserJwt=*** principal=${credentials.principal ?? '(none)'}]`;
  Object.defineProperties(credentials, {
    toJSON: { value: () => ({ principal: credentials.principal }) },
    toString: { value: () => printable },
    [inspect.custom]: { value: () => printable },
  });
  return credentials;
}
