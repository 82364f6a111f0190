import type { INestApplicationContext } from '@nestjs/common';

/**
 * Boots a `TaskQueueModule` on the memory backend with the given `tracing` option, in a fresh module registry
 * in which `@opentelemetry/api` counts its loads; returns how often it was loaded once init finished.
 */
async function apiLoadsAtInit(tracing: boolean): Promise<number> {
  let loads = 0;
  let boot: (() => Promise<INestApplicationContext>) | undefined;
  jest.isolateModules(() => {
    jest.doMock('@opentelemetry/api', () => {
      loads++;
      return jest.requireActual('@opentelemetry/api');
    });
    const { Test } = require('@nestjs/testing') as typeof import('@nestjs/testing');
    const { TaskQueueModule } = require('../task-queue.module') as typeof import('../task-queue.module');
    boot = async () => {
      const module = await Test.createTestingModule({
        imports: [TaskQueueModule.forRoot({ url: 'memory://', tracing, logger: false })],
      }).compile();
      return module.init();
    };
  });
  const app = await (boot as () => Promise<INestApplicationContext>)();
  const loadsAtInit = loads;
  await app.close();
  jest.dontMock('@opentelemetry/api');
  return loadsAtInit;
}

describe('TaskQueueModule: loading the optional tracing API', () => {
  it('loads @opentelemetry/api at module init when tracing is on, so the first enqueue or task does not pay it', async () => {
    expect(await apiLoadsAtInit(true)).toBe(1);
  });

  it('does not load it at all when tracing is off', async () => {
    expect(await apiLoadsAtInit(false)).toBe(0);
  });
});
