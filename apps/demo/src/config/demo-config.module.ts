import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DEMO_CONFIG } from './demo.config';
import { DEMO_ENV_KEYS } from './demo-env-keys';
import { loadDemoConfig } from './load-demo-config';

/**
 * Provides the validated `DemoConfig` (token `DEMO_CONFIG`), read through `ConfigService`: explicit
 * overrides first, then the environment, then `.env`. A bad value fails the start, naming the variable.
 */
@Global()
@Module({
  providers: [
    {
      provide: DEMO_CONFIG,
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        loadDemoConfig(
          Object.fromEntries(DEMO_ENV_KEYS.map((key) => [key, stringOrUndefined(config.get(key))])),
        ),
    },
  ],
  exports: [DEMO_CONFIG],
})
export class DemoConfigModule {}

function stringOrUndefined(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}
