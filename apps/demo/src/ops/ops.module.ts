import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JwtHealthIndicator } from '@databus/auth';
import { OpsController } from './ops.controller';

/** Health and metrics endpoints (see docs/operability.md). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [OpsController],
  providers: [JwtHealthIndicator],
})
export class OpsModule {}
