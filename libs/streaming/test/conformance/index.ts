import { ConformanceTarget } from './harness';
import { channelSettingsConformance } from './channel-settings.conformance';
import { datasetNamesConformance } from './dataset-names.conformance';
import { datasetPatternsConformance } from './dataset-patterns.conformance';
import { failuresConformance } from './failures.conformance';
import { flowConformance } from './flow.conformance';
import { groupsConformance } from './groups.conformance';
import { lifecycleConformance } from './lifecycle.conformance';
import { multiDatasetConformance } from './multi-dataset.conformance';
import { observabilityConformance } from './observability.conformance';
import { positionsConformance } from './positions.conformance';
import { produceConformance } from './produce.conformance';
import { requestReplyConformance } from './request-reply.conformance';
import { seekValuesConformance } from './seek-values.conformance';

export type { ConformanceTarget, ObservedChannelSettings } from './harness';

/**
 * The streaming conformance suite: every DESIGN.md semantic, run unchanged against a transport.
 * Capabilities a transport lacks are asserted as `UnsupportedFeatureError`s at subscribe/bootstrap.
 */
export function describeConformance(target: ConformanceTarget): void {
  jest.setTimeout(Math.max(60_000, (target.deliveryTimeoutMs ?? 10_000) * 4));
  positionsConformance(target);
  seekValuesConformance(target);
  groupsConformance(target);
  produceConformance(target);
  multiDatasetConformance(target);
  datasetPatternsConformance(target);
  flowConformance(target);
  failuresConformance(target);
  requestReplyConformance(target);
  lifecycleConformance(target);
  observabilityConformance(target);
  channelSettingsConformance(target);
  datasetNamesConformance(target);
}
