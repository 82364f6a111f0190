import { Logger, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ChannelService } from './channel/channel.service';
import { StreamingConnection } from './connection/streaming-connection';
import { DatasetHandlerExplorer } from './discovery/dataset-handler.explorer';
import { DatasetHandlerOrchestrator } from './discovery/dataset-handler.orchestrator';
import { StreamingHandlerRegistry } from './observability/streaming-handler.registry';
import { StreamingHealthIndicator } from './observability/streaming-health.indicator';
import { resolveStreamingOptions } from './options/resolve-streaming-options';
import { StreamingModuleOptions } from './options/streaming-options.interface';
import { STREAMING_CONNECTION, STREAMING_CONNECTION_NAME } from './streaming.constants';
import { StreamingConfigurableModule, STREAMING_MODULE_OPTIONS } from './streaming.module-definition';
import { DatabusDrainModule } from '@databus/common/internal';

/**
 * Streams datasets on Kafka, RabbitMQ, MQTT, NATS JetStream or the embedded memory broker.
 *
 * `StreamingModule.forRoot({ url: 'memory://demo' })`, or `forRootAsync({ imports, inject, useFactory })`;
 * extras: `isGlobal`, and `name` for several connections in one app (`@InjectChannel(name)`).
 * Options are validated when the module initialises: a bad value fails startup naming the option.
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule, DatabusDrainModule],
  providers: [
    {
      provide: STREAMING_CONNECTION,
      inject: [STREAMING_MODULE_OPTIONS, STREAMING_CONNECTION_NAME],
      useFactory: (options: StreamingModuleOptions, name: string | null) => {
        const logger =
          options?.logger === false ? undefined : new Logger(name ? `Streaming:${name}` : 'Streaming');
        const resolved = resolveStreamingOptions(options, (m) => logger?.warn(m));
        return new StreamingConnection(resolved, name ?? undefined, options?.logger);
      },
    },
    {
      provide: ChannelService,
      inject: [STREAMING_CONNECTION],
      useFactory: (connection: StreamingConnection) => new ChannelService(connection),
    },
    DatasetHandlerExplorer,
    DatasetHandlerOrchestrator,
    StreamingHandlerRegistry,
    StreamingHealthIndicator,
  ],
})
export class StreamingModule extends StreamingConfigurableModule {}
