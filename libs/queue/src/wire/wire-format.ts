import { PayloadDecodeError } from '@databus/common';
import type { Delivery, TaskHeaders, MessageProperties } from '../backends/queue-backend.interface';

/**
 * The wire format: a plain body with standard AMQP properties, no envelope, so that any AMQP client can
 * produce or consume. These header names are the only ones databus adds.
 */
export const WireHeaders = Object.freeze({
  /** 1-based number of the attempt this delivery is (absent on the first). */
  ATTEMPT: 'x-databus-attempt',
  /** Dead-letter: why the message was dead-lettered (`DeadLetterReason`). */
  REASON: 'x-databus-reason',
  /** Dead-letter: the error's name (e.g. `TypeError`). */
  ERROR_NAME: 'x-databus-error-name',
  /** Dead-letter: the error's message, secrets masked, at most 1000 characters. */
  ERROR: 'x-databus-error',
  /** Dead-letter: how many attempts were made. */
  ATTEMPTS: 'x-databus-attempts',
  /** Dead-letter: the queue the message failed on. */
  ORIGINAL_QUEUE: 'x-databus-original-queue',
  /** Dead-letter: when it was dead-lettered (ISO 8601). */
  FAILED_AT: 'x-databus-failed-at',
  /** RPC reply: `ok` (the body is the handler's return value) or `error` (the body is `{ name, message }`). */
  STATUS: 'x-databus-status',
});

/** Why a message went to its dead-letter queue. @publicApi */
export type DeadLetterReason = 'retries-exhausted' | 'permanent-error' | 'decode-error' | 'rejected';

/** Content types the codec understands. */
export const JSON_CONTENT_TYPE = 'application/json';
const OCTET_STREAM = 'application/octet-stream';
const TEXT_PLAIN = 'text/plain';

/**
 * Encodes a payload into a body and its content type.
 * - a `Buffer` is sent as is (`application/octet-stream` unless a content type is given);
 * - anything else is JSON (`application/json`); `undefined` becomes an empty body.
 */
export function encodeBody(payload: unknown, contentType?: string): { body: Buffer; contentType: string } {
  if (Buffer.isBuffer(payload)) return { body: payload, contentType: contentType ?? OCTET_STREAM };
  if (payload === undefined) return { body: EMPTY, contentType: contentType ?? JSON_CONTENT_TYPE };
  return {
    body: Buffer.from(JSON.stringify(payload), 'utf8'),
    contentType: contentType ?? JSON_CONTENT_TYPE,
  };
}

const EMPTY = Buffer.alloc(0);

/**
 * Decodes a delivery's body by its content type:
 * - `application/json`, `*+json` or no content type: JSON (an empty body is `undefined`);
 * - `text/*`: a string;
 * - anything else: the raw `Buffer`.
 * A body that is not valid JSON throws `PayloadDecodeError`.
 */
export function decodeBody(body: Buffer, properties: MessageProperties): unknown {
  const type = properties.contentType;
  if (
    type === undefined ||
    type === JSON_CONTENT_TYPE ||
    type.endsWith('+json') ||
    type.startsWith('application/json;')
  ) {
    if (body.length === 0) return undefined;
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new PayloadDecodeError(
        `The body (${body.length} bytes) is not valid JSON: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  if (type.startsWith(TEXT_PLAIN) || type.startsWith('text/')) return body.toString('utf8');
  return body;
}

/** The attempt number a delivery carries (1 when absent or malformed). */
export function attemptOf(delivery: Delivery): number {
  const value = delivery.properties.headers?.[WireHeaders.ATTEMPT];
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** Headers safe to carry into a republished copy: the broker's own dead-letter bookkeeping is dropped. */
export function carriedHeaders(headers: TaskHeaders | undefined): TaskHeaders {
  const out: TaskHeaders = {};
  if (!headers) return out;
  for (const key of Object.keys(headers)) {
    if (key === 'x-death' || key.startsWith('x-first-death') || key.startsWith('x-last-death')) continue;
    out[key] = headers[key];
  }
  return out;
}
