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

/** The topic filter a subscription uses: the dataset itself, or `$share/<group>/<dataset>` for a group. */
export function subscriptionFilter(dataset: string, group: string | undefined): string {
  return group === undefined ? dataset : `$share/${group}/${dataset}`;
}
