import { Module } from '@nestjs/common';
import { JwtAuthConfigurableModule } from './jwt-auth.module-definition';

/**
 * Registers one token source and exports its `JwtManager`:
 * ```ts
 * JwtAuthModule.forRoot({ strategy: 'mtls', tokenUrl, tls: { cert, key, ca } })
 * JwtAuthModule.forRootAsync({ name: 'gateway', inject: [ConfigService], useFactory: (c) => ({ … }) })
 * ```
 * Import it once per source; `name` and `isGlobal` (default `true`) are import-time options. The manager fetches
 * a token at module init (`failOnStartup`, default `true`) and stops its timers at application shutdown.
 * @publicApi
 */
@Module({})
export class JwtAuthModule extends JwtAuthConfigurableModule {}
