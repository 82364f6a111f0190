import { ConfigurationError } from '@databus/common';

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

/** The topic filter a subscription uses: the dataset's topic, or `$share/<group>/<topic>` for a group. */
export function subscriptionFilter(dataset: string, group: string | undefined): string {
  const topic = topicOf(dataset);
  return group === undefined ? topic : `$share/${group}/${topic}`;
}
