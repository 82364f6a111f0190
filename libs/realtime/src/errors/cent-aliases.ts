import { RealtimeError } from './realtime.error';
import {
  ApiResponseError,
  DecodeError,
  NetworkError,
  TimeoutError,
  TransportError,
  UnauthorizedError,
} from './realtime-errors';

/*
 * The names the Python `cent` client gives its errors, for code migrating from it. Each is the same class
 * object as ours (not a subclass), so `instanceof` works both ways and `name` is our class name.
 */

/** `cent`'s base error: {@link RealtimeError} (a brand every realtime error matches). @publicApi */
export const CentError = RealtimeError;
/** @publicApi */
export type CentError = RealtimeError;
/** `cent`'s connection failure: {@link NetworkError}. @publicApi */
export const CentNetworkError = NetworkError;
/** @publicApi */
export type CentNetworkError = NetworkError;
/** `cent`'s non-2xx HTTP status: {@link TransportError} (`status`, `body`). @publicApi */
export const CentTransportError = TransportError;
/** @publicApi */
export type CentTransportError = TransportError;
/** `cent`'s request timeout: {@link TimeoutError}. @publicApi */
export const CentTimeoutError = TimeoutError;
/** @publicApi */
export type CentTimeoutError = TimeoutError;
/** `cent`'s HTTP 401: {@link UnauthorizedError}. @publicApi */
export const CentUnauthorizedError = UnauthorizedError;
/** @publicApi */
export type CentUnauthorizedError = UnauthorizedError;
/** `cent`'s unreadable reply: {@link DecodeError}. @publicApi */
export const CentDecodeError = DecodeError;
/** @publicApi */
export type CentDecodeError = DecodeError;
/** `cent`'s Centrifugo error reply: {@link ApiResponseError} (`code`, `apiMessage`). @publicApi */
export const CentApiResponseError = ApiResponseError;
/** @publicApi */
export type CentApiResponseError = ApiResponseError;
