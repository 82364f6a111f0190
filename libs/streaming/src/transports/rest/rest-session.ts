import type * as http from 'node:http';
import {
  AuthenticationError,
  BrokerCredentials,
  ConfigurationError,
  CredentialsProvider,
  TemporaryError,
} from '@databus/common';
import { HttpServiceResponse, sendHttpRequest } from '../../http/http-request';

/** What every session of one transport shares. */
export interface RestEndpoint {
  agent: http.Agent;
  /** `https://host:port/base`, no trailing slash. */
  baseUrl: string;
  httpTimeoutMs: number;
  credentials?: CredentialsProvider;
}

/** One call: a path under the base URL, and a JSON body or raw text with its content type. */
export interface RestCall {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  json?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * A cookie-keeping client of the streaming service, like the seed channel's `requests.Session`: cookies the
 * service sets (the load balancer's sticky cookie) are sent back on every later call of this session, so a
 * consumer keeps talking to the node that holds it. Each consumer has its own session.
 *
 * Every call carries `Authorization: Bearer <token>` from the credentials provider. A 401 or 403 answer
 * means the token was refused (it expired or rotated): the session logs in again once
 * (`CredentialsProvider.renew`, shared by concurrent callers) and repeats the call.
 */
export class RestSession {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly endpoint: RestEndpoint) {}

  /** Sends `call`; resolves with any HTTP status except a refusal that a new login did not cure. */
  async send(call: RestCall): Promise<HttpServiceResponse> {
    const where = `${call.method} ${call.path}`;
    const credentials = await this.credentials(where);
    const first = await this.once(call, credentials);
    if (!isRefusal(first.status)) return first;
    const provider = this.endpoint.credentials;
    if (!provider)
      throw new AuthenticationError(
        `${where}: the streaming service answered HTTP ${first.status}; give StreamingModule credentials (a token provider).`,
      );
    if (!provider.renew)
      throw new AuthenticationError(
        `${where}: the streaming service refused the token (HTTP ${first.status}) and these credentials cannot be renewed.`,
      );
    const renewed = await provider.renew(credentials);
    checkToken(renewed, where);
    const second = await this.once(call, renewed);
    if (!isRefusal(second.status)) return second;
    // The seed channel treats this as temporary too: the next attempt logs in again.
    throw new TemporaryError(
      `${where}: the streaming service refused the token again after a new login (HTTP ${second.status}).`,
    );
  }

  /** Forgets the cookies (a new consumer gets its own sticky cookie). */
  clearCookies(): void {
    this.cookies.clear();
  }

  private async credentials(where: string): Promise<BrokerCredentials | undefined> {
    const provider = this.endpoint.credentials;
    if (!provider) return undefined;
    const credentials = provider.current() ?? (await provider.get());
    checkToken(credentials, where);
    return credentials;
  }

  private async once(
    call: RestCall,
    credentials: BrokerCredentials | undefined,
  ): Promise<HttpServiceResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] = call.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    if (credentials?.token) headers.authorization = `Bearer ${credentials.token}`;
    if (this.cookies.size > 0)
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await sendHttpRequest(this.endpoint.agent, {
      peer: 'the streaming service',
      method: call.method,
      url: `${this.endpoint.baseUrl}${call.path}`,
      headers,
      body,
      timeoutMs: this.endpoint.httpTimeoutMs,
      signal: call.signal,
    });
    this.keepCookies(response.headers['set-cookie']);
    return response;
  }

  private keepCookies(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
}

function isRefusal(status: number): boolean {
  return status === 401 || status === 403;
}

function checkToken(credentials: BrokerCredentials | undefined, where: string): void {
  if (credentials && !credentials.token)
    throw new ConfigurationError(
      'StreamingModule.credentials',
      `a token provider for the REST streaming service (${where}), e.g. jwtCredentials(manager) with streamingServiceLogin() from @databus/auth`,
      { received: 'credentials without a token' },
    );
}
