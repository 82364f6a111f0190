import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { JwtAuthModule } from '@databus/auth';
import { OutboxModule } from '@databus/outbox';
import { TaskQueueModule } from '@databus/queue';
import { RealtimeModule } from '@databus/realtime';
import { StreamingModule } from '@databus/streaming';
import { DEMO_CONFIG } from './config/demo.config';
import { DemoConfig } from './config/demo-config.interface';
import { DemoConfigModule } from './config/demo-config.module';
import { loadQueueNames } from './config/load-demo-config';
import { DemoDatabaseModule } from './database/database.module';
import { DEMO_DATABASE, DemoDatabase } from './database/demo-database';
import { GatewayModule } from './gateway/gateway.module';
import { GatewayService } from './gateway/gateway.service';
import { PageController } from './page/page.controller';
import { SensorsModule } from './sensors/sensors.module';
import { brokerTls } from './config/broker-tls';
import { LifecycleLogger } from './lifecycle-logger';
import { MetricsModule } from './ops/metrics.module';
import { OpsModule } from './ops/ops.module';
import { demoAsyncApi } from './ops/asyncapi';
import { DEMO_METRICS } from './ops/ops.tokens';
import type { DatabusMetrics } from '@databus/common';

/** Options of `AppModule.forRoot`. */
export interface AppModuleOptions {
  /** Values that win over the environment and `.env` (tests use them). */
  env?: Record<string, string>;
  /** Do not read `.env` (tests). @default false */
  ignoreEnvFile?: boolean;
  /** The env file to read. @default `.env` in the current directory */
  envFilePath?: string;
}

/**
 * The sensor hub. Every connection comes from the environment (or `.env`) through @nestjs/config:
 * `STREAMING_URL` for the readings dataset, `QUEUE_URL` for tasks and events, `AUTH_*` for the tokens, and
 * `TLS_*` for private CAs and client certificates. The defaults (`memory://`, the in-process token issuer)
 * need no broker at all.
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    const env = options.env ?? {};
    // Loads `.env` into process.env now, so that the module's shape (Centrifugo or not) can depend on it.
    const config = ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: options.ignoreEnvFile ?? false,
      envFilePath: options.envFilePath,
      load: [() => env],
    });
    const centrifugo = env.CENTRIFUGO_API_URL ?? process.env.CENTRIFUGO_API_URL;
    // The handler decorators need the queue names when the module is built (a bad name fails here, named).
    const names = loadQueueNames({ ...process.env, ...env });
    return {
      module: AppModule,
      imports: [
        config,
        DemoConfigModule,
        MetricsModule,
        GatewayModule,
        StreamingModule.forRootAsync({
          isGlobal: true,
          inject: [DEMO_CONFIG, DEMO_METRICS],
          useFactory: (c: DemoConfig, metrics: DatabusMetrics) => ({
            metrics,
            url: c.streamingUrl,
            group: c.streamingGroup,
            clientId: c.streamingClientId,
            tls: brokerTls(c.streamingUrl, c.tls),
            shutdownTimeoutMs: c.shutdownTimeoutMs,
          }),
        }),
        TaskQueueModule.forRootAsync({
          isGlobal: true,
          inject: [DEMO_CONFIG, DEMO_METRICS],
          useFactory: (c: DemoConfig, metrics: DatabusMetrics) => ({
            metrics,
            url: c.queueUrl,
            tls: brokerTls(c.queueUrl, c.tls),
            shutdownTimeoutMs: c.shutdownTimeoutMs,
          }),
        }),
        DemoDatabaseModule,
        // The readings' transactional outbox: rows written with the demo's own, relayed to `sensor-readings`.
        OutboxModule.forRootAsync({
          isGlobal: true,
          inject: [DEMO_DATABASE, DEMO_CONFIG],
          useFactory: (database: DemoDatabase, c: DemoConfig) => ({
            pool: database.pool,
            schema: c.databaseSchema,
            relay: { shutdownTimeoutMs: c.shutdownTimeoutMs },
          }),
        }),
        JwtAuthModule.forRootAsync({
          inject: [GatewayService, DEMO_METRICS],
          useFactory: (gateway: GatewayService, metrics: DatabusMetrics) => ({
            ...gateway.jwtOptions,
            metrics,
          }),
        }),
        ...(centrifugo
          ? [
              RealtimeModule.forRootAsync({
                isGlobal: true,
                inject: [DEMO_CONFIG],
                useFactory: (c: DemoConfig) => ({
                  apiUrl: c.centrifugo?.apiUrl ?? '',
                  apiKey: c.centrifugo?.apiKey ?? '',
                }),
              }),
            ]
          : []),
        SensorsModule.forRoot(names),
        OpsModule,
        demoAsyncApi(names),
      ],
      controllers: [PageController],
      providers: [LifecycleLogger],
    };
  }
}
