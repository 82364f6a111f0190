import type { TaskHeaders } from '../backends/queue-backend.interface';

const TRACE_HEADERS = ['traceparent', 'tracestate', 'baggage'];

/**
 * The W3C trace-context headers of a message as strings, for extraction. AMQP field tables may carry them
 * as strings or byte arrays (other clients); anything else is ignored.
 */
export function traceCarrier(headers: TaskHeaders | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  let carrier: Record<string, string> | undefined;
  for (const name of TRACE_HEADERS) {
    const value = headers[name];
    const text =
      typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
    if (text !== undefined) (carrier ??= {})[name] = text;
  }
  return carrier;
}
