export type { RealtimeErrorContext } from './realtime.error';
export { RealtimeError } from './realtime.error';
export {
  NetworkError,
  TimeoutError,
  TransportError,
  UnauthorizedError,
  DecodeError,
  ApiResponseError,
} from './realtime-errors';
export { CentrifugoErrorCode } from './centrifugo-error-codes';
export {
  CentError,
  CentNetworkError,
  CentTransportError,
  CentTimeoutError,
  CentUnauthorizedError,
  CentDecodeError,
  CentApiResponseError,
} from './cent-aliases';
