import { ConfigurationError } from '@databus/common';
import { describeValue } from '@databus/common/internal';
import { assertDatasetName, DEAD_LETTER_SUFFIX, isPortablePart } from './dataset-name';

/**
 * Several datasets named by one pattern, for `@OnDatasetMessage({ pattern })` and
 * `channel.subscribe({ pattern })`. The syntax is the same on every transport: parts separated by `.`,
 * `*` stands for exactly one part, `>` (last part only) for one or more trailing parts.
 * @example `{ pattern: 'sensors.*.temp' }`, `{ pattern: 'orders.>' }`
 * @publicApi
 */
export interface DatasetPattern {
  readonly pattern: string;
}

/**
 * A parsed, validated pattern, as the runtime hands it to a transport (transport SPI:
 * `StreamingTransport.listDatasets`); users write a `DatasetPattern`.
 */
export interface DatasetPatternMatcher {
  /** The pattern as written, e.g. `sensors.*.temp`. */
  readonly text: string;
  /** Its parts: literal names, `*` or `>` (last). */
  readonly parts: readonly string[];
  /**
   * True when `dataset` is a name the pattern covers. A dead-letter dataset (last part `dlq`) matches only a
   * pattern whose own last part is the literal `dlq`, so `orders.>` never consumes `orders.eu.dlq`, the
   * dead letters it writes itself.
   */
  matches(dataset: string): boolean;
}

/** True for `{ pattern }` (what the decorator and `subscribe` take instead of a dataset name). */
export function isDatasetPattern(value: unknown): value is DatasetPattern {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'pattern' in value;
}

/**
 * Parses `{ pattern }` (or the pattern text), checked by the pattern mode of `assertDatasetName`. Throws
 * `ConfigurationError` naming `option` and what is wrong: an empty part, a character outside the portable set,
 * a wildcard inside a part (`a*`), `>` before the last part, or no wildcard at all (name the dataset itself then).
 */
export function parseDatasetPattern(value: unknown, option: string): DatasetPatternMatcher {
  const text = assertDatasetName(isDatasetPattern(value) ? value.pattern : value, option, 'pattern');
  const parts = text.split('.');
  const consumesDeadLetters = parts[parts.length - 1] === 'dlq';
  return {
    text,
    parts,
    matches: (dataset) =>
      typeof dataset === 'string' &&
      matchParts(parts, dataset.split('.')) &&
      (consumesDeadLetters || !dataset.endsWith(DEAD_LETTER_SUFFIX)),
  };
}

function matchParts(pattern: readonly string[], name: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i];
    if (part === '>') return name.length > i && name.slice(i).every(isPortablePart);
    if (i >= name.length) return false;
    if (part === '*' ? !isPortablePart(name[i]) : part !== name[i]) return false;
  }
  return name.length === pattern.length;
}

/** A `*` or `>` as a whole `.`-separated part (tested without splitting: `produce()` runs it on every call). */
const WILDCARD_PART = /(?:^|\.)[*>](?:\.|$)/;

/**
 * Refuses a pattern where one dataset is needed (produce, request): a message goes to exactly one dataset.
 * Catches `{ pattern }` and a name with `*` or `>` as a whole part. Returns nothing; throws
 * `ConfigurationError` naming `option`.
 */
export function assertNotDatasetPattern(value: unknown, option: string): void {
  const wildcard = isDatasetPattern(value) || (typeof value === 'string' && WILDCARD_PART.test(value));
  if (wildcard)
    throw new ConfigurationError(
      option,
      'one dataset name: a pattern ("*", ">") is for subscribing only, a message goes to exactly one dataset',
      { received: describeValue(isDatasetPattern(value) ? value.pattern : value) },
    );
}
