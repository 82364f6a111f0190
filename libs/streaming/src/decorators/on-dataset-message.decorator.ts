import { Reflector } from '@nestjs/core';
import { DatasetHandlerOptions } from '../options/streaming-options.interface';
import type { DatasetPattern } from '../transport/dataset-pattern';

/** What `@OnDatasetMessage` records on a method. */
export interface DatasetHandlerMetadata {
  /** The dataset, the datasets (one subscription each, one handler), or a pattern, as given to the decorator. */
  dataset: string | readonly string[] | DatasetPattern;
  options: DatasetHandlerOptions;
}

/** The reflectable decorator behind `@OnDatasetMessage`; its key is private to this lib. */
export const DatasetHandler = Reflector.createDecorator<DatasetHandlerMetadata>();

/**
 * Subscribes the decorated method (on a provider or a controller) to `dataset` when the application
 * bootstraps. The method runs through Nest's enhancer chain (pipes, guards, interceptors, exception filters,
 * context type `'databus'`); use `@Payload()` for the decoded body and `@Ctx()` for the `DatasetMessage`.
 * Its return value is sent back when the message is a `request()`.
 *
 * Given a list of datasets (the seed bus's `@application(topics=[...])`), the method consumes each of them
 * with the same options: one subscription per dataset, in the same group, each with its own retries and its
 * own dead-letter dataset (`<dataset>.dlq` by default); `msg.dataset` says which dataset a message came from.
 * The registry lists such a handler once per dataset, as `Class.method[dataset]`.
 *
 * Given `{ pattern }` (`*`: one part, `>`: one or more trailing parts), the method consumes every dataset
 * that matches, those created after bootstrap too, on transports declaring `capabilities.datasetPatterns`
 * (memory, mqtt, nats, kafka; the others fail the bootstrap with `UnsupportedFeatureError`): per dataset its
 * own position, retries and dead-letter dataset (`<dataset>.dlq`), `msg.dataset` naming it; the registry
 * lists the handler once, as `Class.method`. A pattern that matches nothing yet starts anyway and consumes
 * the matching datasets as they appear (memory, mqtt: at once; nats, kafka: within
 * `StreamingModule.patternRefreshMs`).
 * @example
 * ```ts
 * @OnDatasetMessage('sensor-readings', { group: 'store', offset: Offset.BEGIN, concurrency: 4 })
 * async onReading(@Payload() reading: ReadingDto, @Ctx() msg: DatasetMessage) { … }
 *
 * @OnDatasetMessage(['orders', 'refunds'], { group: 'ledger' })
 * async onMoney(@Payload() body: MoneyDto, @Ctx() msg: DatasetMessage) { if (msg.dataset === 'refunds') … }
 *
 * @OnDatasetMessage({ pattern: 'sensors.*.temp' }, { group: 'thermo' })
 * async onTemp(@Payload() t: TempDto, @Ctx() msg: DatasetMessage) { const room = msg.dataset.split('.')[1]; … }
 * ```
 * @publicApi
 */
export function OnDatasetMessage(
  dataset: string | readonly string[] | DatasetPattern,
  options: DatasetHandlerOptions = {},
): MethodDecorator {
  return DatasetHandler({ dataset, options });
}
