import { Controller, DynamicModule, Get, Module, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AsyncApiModuleOptions, resolveAsyncApiOptions } from './asyncapi-options';
import { ASYNCAPI_OPTIONS } from './asyncapi.constants';
import { AsyncApiService } from './asyncapi.service';
import type { AsyncApiDocument } from './build-document';

/** A controller serving the document at `path` (its route is only known at `forRoot`). */
function documentController(path: string): Type<unknown> {
  @Controller()
  class AsyncApiDocumentController {
    constructor(private readonly service: AsyncApiService) {}

    @Get(path)
    document(): AsyncApiDocument {
      return this.service.document();
    }
  }
  return AsyncApiDocumentController;
}

/**
 * Generates an AsyncAPI 3.0 document from the application's databus handlers and declared producers, and
 * serves it over HTTP (`GET /asyncapi.json` by default):
 * ```ts
 * AsyncApiModule.forRoot({
 *   info: { title: 'Sensor hub', version: '1.0.0' },
 *   producers: [{ dataset: 'sensor-readings', payload: ReadingDto }],
 * })
 * ```
 * Options are checked here: a bad one fails the application's start naming it. Channels, operations and
 * payload schemas come from the code (`@Payload()` DTO classes, with their class-validator rules); servers
 * from the module URLs, without credentials. `AsyncApiService.document()` gives the same document in code.
 * @publicApi
 */
@Module({})
export class AsyncApiModule {
  static forRoot(options: AsyncApiModuleOptions): DynamicModule {
    const resolved = resolveAsyncApiOptions(options);
    return {
      module: AsyncApiModule,
      imports: [DiscoveryModule],
      providers: [{ provide: ASYNCAPI_OPTIONS, useValue: resolved }, AsyncApiService],
      controllers: resolved.path === false ? [] : [documentController(resolved.path)],
      exports: [AsyncApiService],
    };
  }
}
