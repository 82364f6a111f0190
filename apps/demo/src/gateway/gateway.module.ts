import { Global, Module } from '@nestjs/common';
import { DEMO_CONFIG } from '../config/demo.config';
import { DemoConfig } from '../config/demo-config.interface';
import { GatewayService } from './gateway.service';
import { JwtBearerGuard } from './jwt-bearer.guard';

/**
 * Starts the token issuer during dependency injection (an async factory), so it already answers when
 * `JwtAuthModule` fetches its first token at module init.
 */
@Global()
@Module({
  providers: [
    {
      provide: GatewayService,
      inject: [DEMO_CONFIG],
      useFactory: (config: DemoConfig) => GatewayService.create(config),
    },
    JwtBearerGuard,
  ],
  exports: [GatewayService, JwtBearerGuard],
})
export class GatewayModule {}
