import { DatabusError, PayloadDecodeError, redactText } from '@databus/common';
import { TokenRejectedError, TokenRequestError } from '../auth.errors';
import { parseRetryAfter } from '../expiry';
import type { TokenResponse } from '../token';
import type { TokenHttpResponse } from './token-http';

/** OAuth2 `error` codes that mean "these credentials will not work" (RFC 6749 §5.2). */
const OAUTH_PERMANENT = new Set([
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_request',
  'access_denied',
]);

/**
 * Turns a token endpoint's answer into a `TokenResponse`, or throws the typed failure:
 * - 2xx: the token from `tokenField` (dotted path in a JSON answer) or the raw body;
 * - 400 with an OAuth2 error, 401, 403 and other 4xx: `TokenRejectedError` (permanent);
 * - 408, 425, 429 and 5xx: `TokenRequestError` with `Retry-After` (temporary).
 */
export function interpretTokenResponse(
  response: TokenHttpResponse,
  options: { endpoint: string; tokenField?: string; now: number },
): TokenResponse {
  const { status } = response;
  if (status >= 200 && status < 300) return extractToken(response.body, options.tokenField, options.endpoint);
  const oauth = readOAuthError(response.body);
  const detail = oauth ? `: ${oauth.text}` : '';
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    const retryAfter = response.headers['retry-after'];
    throw new TokenRequestError(`The token endpoint ${options.endpoint} answered HTTP ${status}${detail}.`, {
      status,
      retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, options.now),
    });
  }
  const code = oauth?.code;
  const hint =
    status === 401 || status === 403 || (code !== undefined && OAUTH_PERMANENT.has(code))
      ? ' The credentials were refused.'
      : '';
  throw new TokenRejectedError(
    `The token endpoint ${options.endpoint} answered HTTP ${status}${detail}.${hint}`,
    {
      status,
      code,
    },
  );
}

/**
 * Reads the token out of a successful answer.
 * - With `tokenField`, the answer must be JSON and the field a non-empty string.
 * - Without it, the body is the token (a JSON string literal is unquoted); a JSON object is accepted when it
 *   holds `access_token` or `token`.
 * `expires_in` and `token_type` at the root of a JSON answer are used when present.
 */
export function extractToken(body: string, tokenField: string | undefined, endpoint: string): TokenResponse {
  const text = body.trim();
  const json = parseJson(text);
  let value: unknown;
  if (tokenField !== undefined) {
    if (json === undefined || json === null || typeof json !== 'object')
      throw new PayloadDecodeError(
        `The token endpoint ${endpoint} did not answer JSON, so tokenField "${tokenField}" cannot be read.`,
      );
    value = readPath(json, tokenField);
  } else if (typeof json === 'string') value = json;
  else if (json !== null && typeof json === 'object')
    value = (json as Record<string, unknown>).access_token ?? (json as Record<string, unknown>).token;
  else value = text;
  if (typeof value !== 'string' || value.length === 0 || /\s/.test(value) || value.length > 16_384)
    throw new PayloadDecodeError(
      `The token endpoint ${endpoint} answered without a usable token${tokenField ? ` in "${tokenField}"` : ''}; set tokenField to the JSON field that holds it.`,
    );
  const root = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const expiresIn = Number(root.expires_in);
  return {
    accessToken: value,
    expiresIn:
      root.expires_in !== undefined && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
    tokenType: typeof root.token_type === 'string' ? root.token_type : undefined,
  };
}

/** Wraps whatever a custom token function threw into the databus hierarchy, without its secret-bearing text. */
export function toDatabusError(error: unknown, what: string): DatabusError {
  if (error instanceof DatabusError) return error;
  const message = redactText(error instanceof Error ? error.message : String(error));
  return new TokenRequestError(`${what} failed: ${message}`);
}

/** The OAuth2 error of an answer: `code` only when it looks like one (`invalid_client`), `text` for messages. */
function readOAuthError(body: string): { code?: string; text: string } | undefined {
  const json = parseJson(body.trim());
  if (json === null || typeof json !== 'object') return undefined;
  const { error, error_description: description } = json as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  const text = typeof description === 'string' ? `${error} (${description.slice(0, 200)})` : error;
  return { code: /^[a-z_]+$/.test(error) ? error : undefined, text: redactText(text).slice(0, 300) };
}

function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function parseJson(text: string): unknown {
  if (!/^[{["]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
