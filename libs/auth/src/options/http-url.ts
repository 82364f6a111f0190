import { assertNonEmptyString, ConfigurationError } from '@databus/common';
import { describeValue } from '@databus/common/internal';

/** The absolute http:// or https:// URL of option `option`; `expected` says what it is in the error. */
export function httpUrl(value: unknown, option: string, expected: string): URL {
  const text = assertNonEmptyString(value, option);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError(option, expected, { received: describeValue(text) });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigurationError(option, 'an http:// or https:// URL', { received: `a ${url.protocol} URL` });
  return url;
}
