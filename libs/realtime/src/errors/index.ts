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
