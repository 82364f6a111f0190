export type { BrokerUrl, BrokerHost } from './parse-broker-url';
export { parseBrokerUrl, redactUrl } from './parse-broker-url';
export {
  assertInteger,
  assertDuration,
  assertNonEmptyString,
  assertOneOf,
  describe as describeValue,
} from './validate';
