import { DatabusError } from './databus.error';

/**
 * A failure that repeating the same operation will not fix: bad configuration, bad credentials, an
 * unsupported feature, an undecodable payload. Never retried automatically.
 * @publicApi
 */
export class PermanentError extends DatabusError {
  readonly retriable = false;
}

/**
 * A transport cannot honour a requested feature (for example seeking on MQTT, which keeps no history).
 * Raised at subscribe or bootstrap time, never deep inside message processing.
 * @publicApi
 */
export class UnsupportedFeatureError extends PermanentError {
  constructor(
    /** The transport that lacks the feature, e.g. `mqtt`. */
    readonly transport: string,
    /** The feature that was asked for, e.g. `seek by sequence`. */
    readonly feature: string,
    detail?: string,
  ) {
    super(`The ${transport} transport does not support ${feature}${detail ? `: ${detail}` : '.'}`);
  }
}

/**
 * An option has a missing or invalid value. The message names the option and what is expected; it never
 * contains secret values.
 * @publicApi
 */
export class ConfigurationError extends PermanentError {
  constructor(
    /** The option's path, e.g. `StreamingModule.url` or `retry.attempts`. */
    readonly option: string,
    /** What is expected, e.g. `a positive integer`. */
    readonly expected: string,
    options?: ErrorOptions & { received?: string },
  ) {
    super(
      `Invalid option "${option}": expected ${expected}${options?.received !== undefined ? `, received ${options.received}` : ''}.`,
      options,
    );
  }
}

/**
 * Credentials were refused (bad password, certificate not accepted, token rejected). Not retried tightly:
 * the same credentials will keep failing.
 * @publicApi
 */
export class AuthenticationError extends PermanentError {}

/**
 * A payload could not be decoded (for example `json()` on a body that is not JSON). Messages that cannot be
 * decoded go straight to the dead-letter destination.
 * @publicApi
 */
export class PayloadDecodeError extends PermanentError {}
