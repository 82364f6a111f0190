import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DESCRIBE_MESSAGING, isMessagingCatalogSource, MessagingCatalog } from '@databus/common/internal';
import type { ResolvedAsyncApiOptions } from './asyncapi-options';
import { ASYNCAPI_OPTIONS } from './asyncapi.constants';
import { AsyncApiDocument, buildAsyncApiDocument } from './build-document';

/**
 * Builds the application's AsyncAPI 3.0 document from every `StreamingModule` and `TaskQueueModule`
 * connection in it (their `@OnDatasetMessage`, `@TaskHandler` and `@EventSubscriber` handlers and brokers)
 * and the producers declared in `AsyncApiModule.forRoot`. Read it after the application has bootstrapped
 * (handlers are subscribed then); it is built again on each call, so a handler started later shows.
 * @publicApi
 */
@Injectable()
export class AsyncApiService {
  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(ASYNCAPI_OPTIONS) private readonly options: ResolvedAsyncApiOptions,
  ) {}

  /** The document, as a plain object ready for `JSON.stringify`. */
  document(): AsyncApiDocument {
    return buildAsyncApiDocument(this.catalogs(), this.options);
  }

  /** One catalog per connection, streaming before queue, default connection first. */
  private catalogs(): MessagingCatalog[] {
    const seen = new Set<object>();
    const catalogs: MessagingCatalog[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!isMessagingCatalogSource(instance) || seen.has(instance)) continue;
      seen.add(instance);
      catalogs.push(instance[DESCRIBE_MESSAGING]());
    }
    const rank = (c: MessagingCatalog) =>
      `${c.library === 'streaming' ? 0 : 1}:${c.connection === 'default' ? '' : c.connection}`;
    return catalogs.sort((a, b) => rank(a).localeCompare(rank(b)));
  }
}
