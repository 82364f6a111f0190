import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { MemoryBroker, TaskQueueHealthIndicator, TaskQueueModule } from '@databus/queue';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly queue: TaskQueueHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.queue.check('queue')]);
  }
}

describe('TaskQueueHealthIndicator with @nestjs/terminus', () => {
  it('reports up through HealthCheckService, and 503 once the connection is closed', async () => {
    const broker = new MemoryBroker();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TerminusModule.forRoot({ logger: false }),
        TaskQueueModule.forRoot({ url: 'memory://', memoryBroker: broker }),
      ],
      controllers: [HealthController],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    const controller = moduleRef.get(HealthController);
    try {
      await expect(controller.check()).resolves.toMatchObject({
        status: 'ok',
        info: { queue: { status: 'up', backend: 'memory', connection: 'connected' } },
      });
    } finally {
      await moduleRef.close();
      broker.close();
    }
    const failure = await controller.check().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceUnavailableException);
    // Terminus says `shutting_down` after its own shutdown; the failed indicator is in `error` either way.
    expect((failure as ServiceUnavailableException).getResponse()).toMatchObject({
      error: { queue: { status: 'down', reason: 'connection closed' } },
    });
  });
});
