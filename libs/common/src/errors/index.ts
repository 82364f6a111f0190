export { DatabusError, isRetriable } from './databus.error';
export { TemporaryError, ConsumerError } from './temporary.error';
export {
  PermanentError,
  UnsupportedFeatureError,
  ConfigurationError,
  AuthenticationError,
  PayloadDecodeError,
} from './permanent.error';
export { RequestTimeoutError } from './request-timeout.error';
export { errorMessage } from './error-message';
export { isPermanentFailure } from './failure-classification';
