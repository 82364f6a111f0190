import { ConsumerError, DatabusError, PermanentError, redactText, TemporaryError } from '@databus/common';
import { HttpServiceResponse } from '../../http/http-request';

/** Success statuses of the service (the seed channel accepts these four). */
export function isSuccess(status: number): boolean {
  return status === 200 || status === 201 || status === 202 || status === 204;
}

/**
 * The typed failure of an answer that is not a success:
 * - 404 on a consumer call → `ConsumerError` (the consumer is gone: the runtime creates a new one);
 * - 408, 425, 429 and 5xx → `TemporaryError`;
 * - any other status → `PermanentError` (the same call will fail again).
 * The service's own message is kept, shortened and with secrets masked.
 */
export function statusError(
  operation: string,
  response: HttpServiceResponse,
  consumerCall: boolean,
): DatabusError {
  const { status } = response;
  const text = `${operation}: the streaming service answered HTTP ${status}${serviceMessage(response.body)}.`;
  if (status === 404 && consumerCall) return new ConsumerError(text);
  if (status === 408 || status === 425 || status === 429 || status >= 500 || status < 200)
    return new TemporaryError(text);
  return new PermanentError(text);
}

function serviceMessage(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return '';
  let message = trimmed;
  try {
    const parsed = JSON.parse(trimmed) as Record<string, unknown>;
    const field = parsed?.message ?? parsed?.error ?? parsed?.detail;
    if (typeof field === 'string') message = field;
  } catch {
    // Plain text.
  }
  return ` (${redactText(message).slice(0, 200)})`;
}
