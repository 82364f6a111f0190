import { ConfigurationError } from '@databus/common';
import { describeValue as describe } from '@databus/common/internal';

/**
 * The longest portable dataset name. RabbitMQ refuses to consume a stream whose name is longer than 233
 * characters on vhost `/` (measured on 3.10), Kafka topics stop at 249 and NATS stream names at 255 bytes on
 * some file systems; 200 leaves room for the dead-letter suffix (`.dlq`) and the transports' own prefixes.
 */
export const MAX_DATASET_NAME_LENGTH = 200;

/** How many dataset names `assertDatasetName` remembers as checked (then it starts over). */
const MAX_REMEMBERED_NAMES = 1024;
/**
 * Names already found portable: a producer sends to the same few datasets over and over, so the check of a
 * known name is one set look-up. The rule never changes, so the set is shared; bad names are never added.
 */
const checkedNames = new Set<string>();

/** What a dataset's default dead-letter dataset adds to its name: `<dataset>.dlq`. */
export const DEAD_LETTER_SUFFIX = '.dlq';

/** One part of a name: letters, digits, `_` and `-` (the characters every broker takes in every position). */
const PART = /^[A-Za-z0-9_-]+$/;

/** True when `part` (one `.`-separated part of a name) is made of portable characters and not empty. */
export function isPortablePart(part: string): boolean {
  return PART.test(part);
}

/** What a portable name looks like, said once for every error. */
export const PORTABLE_DATASET_NAME =
  'a portable dataset name: ASCII letters, digits, "_" and "-", in parts separated by "." ' +
  `(no empty part), at most ${MAX_DATASET_NAME_LENGTH} characters (plus "${DEAD_LETTER_SUFFIX}" for a dead-letter dataset)`;

/** What a dataset pattern looks like (see `DatasetPattern`), said once for every error. */
const DATASET_PATTERN =
  'a dataset pattern: parts separated by ".", each made of ASCII letters, digits, "_" and "-", or "*" ' +
  '(exactly one part) or ">" (one or more trailing parts, last only), with at least one wildcard, ' +
  `at most ${MAX_DATASET_NAME_LENGTH} characters (e.g. "sensors.*.temp", "orders.>")`;

/**
 * What `assertDatasetName` checks: `'name'`, one dataset; `'pattern'`, a dataset pattern, whose literal parts
 * follow the same part rule and whose other parts are the wildcards `*` (one part) and `>` (one or more
 * trailing parts, last only), at least one of them.
 */
export type DatasetNameMode = 'name' | 'pattern';

/**
 * Checks that `name` is a dataset name every transport accepts unchanged, so a suite that passes on the
 * memory transport does not fail on a broker: Kafka topics allow only `[A-Za-z0-9._-]`, NATS subjects split
 * on `.` and refuse empty tokens, `*`, `>` and white space, MQTT topics treat `/` as a level and `+`/`#` as
 * wildcards, RabbitMQ stream names stop at 233 characters. A name ending in `.dlq` may be 4 characters longer,
 * so the default dead-letter dataset of the longest name can be consumed too. Returns `name`.
 *
 * A name found portable is remembered (a bounded set), so checking it again costs one look-up.
 * With `mode: 'pattern'` it checks a dataset pattern instead (see `DatasetNameMode`; no `.dlq` allowance).
 *
 * @param option names the value in the error, e.g. `produce: dataset`.
 * @throws ConfigurationError naming `option`, the rule and the first offending character (or part).
 */
export function assertDatasetName(name: unknown, option: string, mode: DatasetNameMode = 'name'): string {
  if (mode === 'pattern') return assertPattern(name, option);
  if (checkedNames.has(name as string)) return name as string;
  if (typeof name === 'string' && name.length <= maxLength(name) && isPortable(name)) {
    if (checkedNames.size >= MAX_REMEMBERED_NAMES) checkedNames.clear();
    checkedNames.add(name);
    return name;
  }
  throw new ConfigurationError(option, PORTABLE_DATASET_NAME, { received: describeBadName(name) });
}

/** The pattern mode of `assertDatasetName`. */
function assertPattern(text: unknown, option: string): string {
  if (typeof text !== 'string' || text === '' || text.length > MAX_DATASET_NAME_LENGTH)
    throw new ConfigurationError(option, DATASET_PATTERN, { received: describe(text) });
  const parts = text.split('.');
  parts.forEach((part, i) => {
    if (part === '>' && i !== parts.length - 1)
      throw new ConfigurationError(option, DATASET_PATTERN, {
        received: `${describe(text)} (">" before the last part)`,
      });
    if (part !== '*' && part !== '>' && !PART.test(part))
      throw new ConfigurationError(option, DATASET_PATTERN, {
        received: `${describe(text)} (part ${i + 1}: ${describe(part)})`,
      });
  });
  if (!parts.some((part) => part === '*' || part === '>'))
    throw new ConfigurationError(option, DATASET_PATTERN, {
      received: `${describe(text)} (no wildcard: give the dataset name itself)`,
    });
  return text;
}

function maxLength(name: string): number {
  return MAX_DATASET_NAME_LENGTH + (name.endsWith(DEAD_LETTER_SUFFIX) ? DEAD_LETTER_SUFFIX.length : 0);
}

/** The default dead-letter dataset of `dataset`. */
export function deadLetterOf(dataset: string): string {
  return dataset + DEAD_LETTER_SUFFIX;
}

/** True when every `.`-separated part of `name` is non-empty and made of portable characters. */
function isPortable(name: string): boolean {
  if (name === '') return false;
  for (const part of name.split('.')) if (!PART.test(part)) return false;
  return true;
}

/** The received value and what is wrong with it (the first bad character, an empty part or the length). */
function describeBadName(name: unknown): string {
  if (typeof name !== 'string' || name === '') return describe(name);
  if (name.length > maxLength(name)) return `a name of ${name.length} characters`;
  const shown = describe(name);
  const bad = /[^A-Za-z0-9_.-]/.exec(name);
  if (bad) return `${shown} (character ${JSON.stringify(bad[0])} at index ${bad.index})`;
  return `${shown} (an empty part between dots, or a dot at the start or end)`;
}
