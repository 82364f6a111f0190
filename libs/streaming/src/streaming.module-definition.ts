import { ConfigurableModuleBuilder } from '@nestjs/common';
import { StreamingModuleExtras, StreamingModuleOptions } from './options/streaming-options.interface';
import {
  getChannelToken,
  getStreamingHealthToken,
  getStreamingRegistryToken,
  STREAMING_CONNECTION_NAME,
} from './streaming.constants';
import { ChannelService } from './channel/channel.service';
import { StreamingHandlerRegistry } from './observability/streaming-handler.registry';
import { StreamingHealthIndicator } from './observability/streaming-health.indicator';

export const {
  ConfigurableModuleClass: StreamingConfigurableModule,
  MODULE_OPTIONS_TOKEN: STREAMING_MODULE_OPTIONS,
  OPTIONS_TYPE: STREAMING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: STREAMING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<StreamingModuleOptions>({ moduleName: 'Streaming' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createStreamingOptions')
  .setExtras<StreamingModuleExtras>({ isGlobal: false, name: undefined }, (definition, extras) => {
    // The connection name shapes the module (its injection token), so it is an extra, never async config.
    const token = getChannelToken(extras.name);
    const registry = getStreamingRegistryToken(extras.name);
    const health = getStreamingHealthToken(extras.name);
    return {
      ...definition,
      global: extras.isGlobal,
      providers: [
        ...(definition.providers ?? []),
        { provide: STREAMING_CONNECTION_NAME, useValue: extras.name ?? null },
        { provide: token, useExisting: ChannelService },
        { provide: registry, useExisting: StreamingHandlerRegistry },
        { provide: health, useExisting: StreamingHealthIndicator },
      ],
      // Class tokens belong to the unnamed connection (one per app); named ones are reached by their tokens.
      exports: extras.name
        ? [token, registry, health]
        : [ChannelService, token, StreamingHandlerRegistry, StreamingHealthIndicator, registry, health],
    };
  })
  .build();
