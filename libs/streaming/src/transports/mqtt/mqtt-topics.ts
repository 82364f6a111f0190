import { ConfigurationError } from '@databus/common';
import type { DatasetPatternMatcher } from '../../transport/dataset-pattern';

/** Checks that a dataset name is a valid MQTT topic to publish to (no wildcards, not a `$` system topic). */
export function assertDatasetTopic(dataset: string, option = 'dataset'): string {
  if (
    typeof dataset !== 'string' ||
    dataset === '' ||
    /[+#]/.test(dataset) ||
    dataset.includes('\0') ||
    dataset.startsWith('$')
  )
    throw new ConfigurationError(
      option,
      'an MQTT topic name: non-empty, without the wildcards + and #, not starting with $',
      { received: JSON.stringify(String(dataset)).slice(0, 80) },
    );
  return dataset;
}

/** Checks that a group name can be an MQTT 5 shared subscription name (`$share/<group>/<topic>`). */
export function assertGroupName(group: string): string {
  if (group === '' || /[/+#]/.test(group) || group.includes('\0'))
    throw new ConfigurationError('group', 'an MQTT shared subscription name: non-empty, without /, + or #', {
      received: JSON.stringify(group).slice(0, 80),
    });
  return group;
}

/**
 * The MQTT topic of a dataset: its `.`-separated parts become topic levels (`sensors.temp` → `sensors/temp`),
 * so a dataset reaches the hierarchical topics MQTT devices publish to, and `.` separates segments on every
 * transport alike (NATS subjects split on `.` natively). Portable dataset names hold no `/`, so the mapping
 * is one to one.
 */
export function topicOf(dataset: string): string {
  return dataset.replaceAll('.', '/');
}

/**
 * The MQTT topic filter of a dataset pattern: its parts are topic levels like a dataset's, `*` (one part) is
 * `+`, and `>` (one or more trailing parts) is `+/#` (MQTT's `#` alone would also match the parent topic).
 * `sensors.*.temp` → `sensors/+/temp`, `orders.>` → `orders/+/#`.
 */
export function patternFilter(pattern: DatasetPatternMatcher): string {
  return pattern.parts.map((part) => (part === '*' ? '+' : part === '>' ? '+/#' : part)).join('/');
}

/**
 * The dataset a message on `topic` belongs to (`sensors/a/temp` → `sensors.a.temp`), or `undefined` when
 * the topic is no dataset's (a level holding a `.`, which no dataset part can: the mapping would not be one
 * to one). Whether the name is a portable one is the pattern's check (`DatasetPatternMatcher.matches`).
 */
export function datasetOfTopic(topic: string): string | undefined {
  return topic.includes('.') ? undefined : topic.replaceAll('/', '.');
}

/**
 * The topic filter a subscription uses: the dataset's topic (or a pattern's filter, see `patternFilter`),
 * or `$share/<group>/<filter>` for a group.
 */
export function subscriptionFilter(
  dataset: string,
  group: string | undefined,
  pattern?: DatasetPatternMatcher,
): string {
  const filter = pattern ? patternFilter(pattern) : topicOf(dataset);
  return group === undefined ? filter : `$share/${group}/${filter}`;
}
