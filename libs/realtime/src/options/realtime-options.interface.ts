import type { Agent } from 'node:http';
import type { TlsOptions } from '@databus/common';

/**
 * Options of `RealtimeModule.forRoot` / `forRootAsync` and of `new CentrifugoClient(...)`.
 * @publicApi
 */
export interface RealtimeModuleOptions {
  /** Centrifugo's HTTP API base URL, e.g. `http://localhost:8000/api`; each method is `POST {apiUrl}/{method}`. */
  apiUrl: string;
  /** The HTTP API key (`http_api.key` in Centrifugo v6, `api_key` in v5). Sent as `X-API-Key`; never logged. */
  apiKey: string;
  /** Timeout of one API call, from sending the request to the end of the reply. @default 10000 */
  timeoutMs?: number;
  /**
   * A custom HTTP(S) agent (proxying, custom sockets, shared pools). It is not destroyed when the client
   * closes. Cannot be combined with `tls`, `keepAlive` or `maxSockets` (configure your agent instead).
   */
  agent?: Agent;
  /** Keep connections open between calls (HTTP keep-alive) on the built-in agent. @default true */
  keepAlive?: boolean;
  /** Maximum concurrent sockets of the built-in agent. @default 64 */
  maxSockets?: number;
  /**
   * TLS for an `https:` apiUrl: a private CA (`ca`), client certificate (`cert` + `key`, or `pfx`),
   * `servername`. Peer verification stays on unless `insecure: true` (logged as a warning).
   */
  tls?: TlsOptions;
}

/** `RealtimeModuleOptions` after validation and defaults. */
export interface ResolvedRealtimeOptions {
  apiUrl: URL;
  /** `apiUrl` with credentials masked: what error messages show. */
  endpoint: string;
  apiKey: string;
  timeoutMs: number;
  agent: Agent;
  /** Whether the client created `agent` (and so destroys it on close). */
  ownsAgent: boolean;
}
