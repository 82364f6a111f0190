import { Module } from '@nestjs/common';
import { CentrifugoClient } from './client/centrifugo.client';
import { RealtimeConfigurableModule } from './realtime.module-definition';

/**
 * Provides `CentrifugoClient`, configured once:
 * ```ts
 * RealtimeModule.forRoot({ apiUrl: 'http://localhost:8000/api', apiKey: process.env.CENTRIFUGO_API_KEY! })
 * RealtimeModule.forRootAsync({ inject: [ConfigService], useFactory: (c: ConfigService) => ({ … }) })
 * ```
 * Bad options fail at bootstrap with a `ConfigurationError` naming the option. The client's sockets are
 * released when the application closes.
 * @publicApi
 */
@Module({ providers: [CentrifugoClient], exports: [CentrifugoClient] })
export class RealtimeModule extends RealtimeConfigurableModule {}
