import { createHash } from 'node:crypto';
import { ConfigurationError } from '@databus/common';

/** A subject token: no whitespace, no wildcards, not empty. */
const SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;
const SAFE = /[^A-Za-z0-9_-]/g;

/**
 * The subject a dataset is stored on: `<subjectPrefix><dataset>`. Dots in a dataset name are NATS token
 * separators (`sensor.readings` is a valid dataset); whitespace and the wildcards `*` and `>` are not allowed.
 */
export function datasetSubject(subjectPrefix: string, dataset: string): string {
  if (!SUBJECT.test(dataset))
    throw new ConfigurationError(
      'dataset',
      'a NATS subject without whitespace, "*", ">" or empty tokens (nats transport)',
      { received: JSON.stringify(dataset.slice(0, 60)) },
    );
  return `${subjectPrefix}${dataset}`;
}

/**
 * A JetStream name (stream or durable consumer) for `name`: characters other than letters, digits, `_`
 * and `-` become `_`, and a changed name gets a short hash of the original so that `a.b` and `a_b` do not
 * collide (`DATABUS_a_b_1f2e3d4c`).
 */
export function jetStreamName(prefix: string, name: string): string {
  const safe = name.replace(SAFE, '_');
  if (safe === name) return `${prefix}${name}`;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${prefix}${safe}_${hash}`;
}
