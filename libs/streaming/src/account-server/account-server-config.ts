import type * as http from 'node:http';
import { PermanentError, TemporaryError } from '@databus/common';
import { sendHttpRequest } from '../http/http-request';

/** What the account server's `/api/v1/config` says (the fields the dataset client uses). */
export interface AccountServerConfig {
  apiGatewayUrl: string;
  masUrl: string;
  natsUrl: string;
  natsWebsocketUrl?: string;
}

/**
 * Reads `GET {server}/api/v1/config` (no client certificate; the server is verified with the CA bundle).
 * A missing field is a `PermanentError` naming it; an unreachable server or a 5xx is a `TemporaryError`.
 */
export async function fetchAccountServerConfig(
  agent: http.Agent,
  configUrl: string,
  timeoutMs: number,
): Promise<AccountServerConfig> {
  const peer = 'the account server';
  const response = await sendHttpRequest(agent, {
    method: 'GET',
    url: configUrl,
    headers: { accept: 'application/json' },
    timeoutMs,
    peer,
  });
  const where = `GET ${configUrl}`;
  if (response.status >= 500 || response.status === 429)
    throw new TemporaryError(`${where}: ${peer} answered HTTP ${response.status}.`);
  if (response.status !== 200)
    throw new PermanentError(`${where}: ${peer} answered HTTP ${response.status}.`);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    throw new PermanentError(`${where}: ${peer} did not answer JSON.`);
  }
  const field = (name: string, required: boolean): string | undefined => {
    const value = body[name];
    if (typeof value === 'string' && value !== '') return value;
    if (required) throw new PermanentError(`${where}: the answer has no "${name}".`);
    return undefined;
  };
  return {
    apiGatewayUrl: field('api_gateway_url', true)!,
    masUrl: field('mas_url', true)!.replace(/\/+$/, ''),
    natsUrl: field('nats_url', true)!,
    natsWebsocketUrl: field('nats_websocket_url', false),
  };
}
