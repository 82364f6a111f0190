/**
 * @databus/asyncapi: an AsyncAPI 3.0 document generated from the application's `@OnDatasetMessage`,
 * `@TaskHandler` and `@EventSubscriber` handlers and its declared producers, served over HTTP.
 */
export { AsyncApiModule } from './asyncapi.module';
export { AsyncApiService } from './asyncapi.service';
export type { AsyncApiDocument } from './build-document';
export {
  type AsyncApiInfo,
  type AsyncApiModuleOptions,
  type AsyncApiProducer,
  DEFAULT_ASYNCAPI_PATH,
} from './asyncapi-options';
export type { AsyncApiServer } from './servers';
export type { JsonSchema, PayloadClass } from './schema/types';
