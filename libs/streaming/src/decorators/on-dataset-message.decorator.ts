import { Reflector } from '@nestjs/core';
import { DatasetHandlerOptions } from '../options/streaming-options.interface';

/** What `@OnDatasetMessage` records on a method. */
export interface DatasetHandlerMetadata {
  dataset: string;
  options: DatasetHandlerOptions;
}

/** The reflectable decorator behind `@OnDatasetMessage`; its key is private to this lib. */
export const DatasetHandler = Reflector.createDecorator<DatasetHandlerMetadata>();

/**
 * Subscribes the decorated method (on a provider or a controller) to `dataset` when the application
 * bootstraps. The method runs through Nest's enhancer chain (pipes, guards, interceptors, exception filters,
 * context type `'databus'`); use `@Payload()` for the decoded body and `@Ctx()` for the `DatasetMessage`.
 * Its return value is sent back when the message is a `request()`.
 * @example
 * ```ts
 * @OnDatasetMessage('sensor-readings', { group: 'store', offset: Offset.BEGIN, concurrency: 4 })
 * async onReading(@Payload() reading: ReadingDto, @Ctx() msg: DatasetMessage) { … }
 * ```
 * @publicApi
 */
export function OnDatasetMessage(dataset: string, options: DatasetHandlerOptions = {}): MethodDecorator {
  return DatasetHandler({ dataset, options });
}
