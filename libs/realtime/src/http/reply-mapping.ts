import { DecodeError, NetworkError, TransportError, UnauthorizedError } from '../errors';

const MAX_ERROR_BODY = 200;
const REDACTED = '[REDACTED]';

/**
 * The error for an HTTP status, or `undefined` for 2xx:
 * - 401 → `UnauthorizedError` (Centrifugo's answer to a wrong or missing API key);
 * - any other status outside 200–299 → `TransportError` with the status and the start of the body.
 */
export function errorForStatus(
  method: string,
  endpoint: string,
  status: number,
  body: string,
  apiKey: string,
): UnauthorizedError | TransportError | undefined {
  if (status === 401) return new UnauthorizedError(method, endpoint);
  if (status < 200 || status > 299)
    return new TransportError(method, endpoint, status, excerpt(body, apiKey));
  return undefined;
}

/** The error for a socket, DNS or TLS failure: a `NetworkError` carrying the system code. */
export function errorForSocket(
  method: string,
  endpoint: string,
  error: unknown,
  apiKey: string,
): NetworkError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new NetworkError(method, endpoint, { code, cause: scrubError(error, apiKey) });
}

/** Parses a 2xx body: a JSON object, or a `DecodeError`. */
export function parseReply(
  method: string,
  endpoint: string,
  body: string,
  apiKey: string,
): Record<string, unknown> | DecodeError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return new DecodeError(method, endpoint, `invalid JSON (${Buffer.byteLength(body)} bytes)`, {
      cause: scrubError(error, apiKey),
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return new DecodeError(method, endpoint, 'the reply is not a JSON object');
  return parsed as Record<string, unknown>;
}

/** `text` with every occurrence of the API key masked. */
export function scrub(text: string, apiKey: string): string {
  return apiKey ? text.split(apiKey).join(REDACTED) : text;
}

function excerpt(text: string, apiKey: string): string {
  const trimmed = scrub(text.trim(), apiKey);
  return trimmed.length > MAX_ERROR_BODY ? `${trimmed.slice(0, MAX_ERROR_BODY)}…` : trimmed;
}

// The cause is kept for diagnosis, but its message must not carry the key (e.g. a server echoing it).
function scrubError(error: unknown, apiKey: string): unknown {
  if (error instanceof Error && apiKey && error.message.includes(apiKey))
    error.message = scrub(error.message, apiKey);
  return error;
}
