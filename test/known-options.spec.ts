import { DynamicModule, Injectable } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { ConfigurationError } from '@databus/common';
import { JwtAuthModule } from '@databus/auth';
import { TaskHandler, TaskQueueModule } from '@databus/queue';
import { RealtimeModule } from '@databus/realtime';
import { OnDatasetMessage, StreamingModule } from '@databus/streaming';

/** Compiles and boots an app with `imports`/`providers` and returns the error that stopped it. */
async function bootstrapError(imports: DynamicModule[], providers: unknown[] = []): Promise<unknown> {
  let module: TestingModule | undefined;
  try {
    module = await Test.createTestingModule({ imports, providers: providers as never }).compile();
    module.useLogger(false);
    await module.init();
  } catch (error) {
    return error;
  } finally {
    await module?.close().catch(() => undefined);
  }
  return undefined;
}

/** One known-options check behind every module: a typo fails bootstrap naming the option. */
describe('a typo in any module option fails bootstrap naming the option', () => {
  it('TaskQueueModule: prefech', async () => {
    const error = await bootstrapError([TaskQueueModule.forRoot({ url: 'memory://', prefech: 10 } as never)]);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('TaskQueueModule.prefech');
    expect((error as Error).message).toMatch(
      /^Invalid option "TaskQueueModule.prefech": expected "prefetch" \(a typo\?\)/,
    );
  });

  it('@TaskHandler: prefech', async () => {
    @Injectable()
    class Worker {
      @TaskHandler('typo-tasks', { prefech: 5 } as never)
      run(): void {}
    }
    const error = await bootstrapError([TaskQueueModule.forRoot({ url: 'memory://' })], [Worker]);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('Worker.run @TaskHandler.prefech');
  });

  it('JwtAuthModule: tokenFeild', async () => {
    const error = await bootstrapError([
      JwtAuthModule.forRoot({
        strategy: 'custom',
        fetchToken: async () => 'token',
        tokenFeild: 'token',
      } as never),
    ]);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('JwtAuthModule.tokenFeild');
    expect((error as Error).message).toContain('known option (strategy, name, isGlobal');
  });

  it('JwtAuthModule: a refresh option', async () => {
    const error = await bootstrapError([
      JwtAuthModule.forRoot({
        strategy: 'custom',
        fetchToken: async () => 'token',
        refresh: { windowMS: 1000 },
      } as never),
    ]);
    expect((error as ConfigurationError).option).toBe('JwtAuthModule.refresh.windowMS');
    expect((error as Error).message).toContain('expected "windowMs" (a typo?)');
  });

  it('RealtimeModule: timeotMs', async () => {
    const error = await bootstrapError([
      RealtimeModule.forRoot({ apiUrl: 'http://127.0.0.1:1/api', apiKey: 'k', timeotMs: 5 } as never),
    ]);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('RealtimeModule.timeotMs');
    expect((error as Error).message).toContain('expected "timeoutMs" (a typo?)');
  });

  it('StreamingModule and @OnDatasetMessage: prefech', async () => {
    const moduleError = await bootstrapError([
      StreamingModule.forRoot({ url: 'memory://typo', prefech: 1 } as never),
    ]);
    expect((moduleError as ConfigurationError).option).toBe('StreamingModule.prefech');
    @Injectable()
    class Reader {
      @OnDatasetMessage('typo-ds', { prefech: 5 } as never)
      read(): void {}
    }
    const handlerError = await bootstrapError([StreamingModule.forRoot({ url: 'memory://typo' })], [Reader]);
    expect(handlerError).toBeInstanceOf(ConfigurationError);
    expect((handlerError as ConfigurationError).option).toBe(
      "@OnDatasetMessage('typo-ds') on Reader.read: prefech",
    );
    expect((handlerError as Error).message).toContain('expected "prefetch" (a typo?)');
  });
});
