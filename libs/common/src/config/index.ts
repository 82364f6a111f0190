export type { BrokerUrl, BrokerHost } from './parse-broker-url';
export { parseBrokerUrl, redactUrl } from './parse-broker-url';
export { formatHostPort } from './host-port';
export { describeBrokerUrl } from './describe-broker-url';
export { assertKnownOptions } from './known-options';
export {
  assertInteger,
  assertDuration,
  assertNonEmptyString,
  assertOneOf,
  describe as describeValue,
} from './validate';
