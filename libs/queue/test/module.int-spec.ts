import {
  ArgumentsHost,
  CallHandler,
  CanActivate,
  Catch,
  Controller,
  ExceptionFilter,
  ExecutionContext,
  INestApplication,
  Inject,
  Injectable,
  Module,
  NestInterceptor,
  Scope,
  UseFilters,
  UseGuards,
  UseInterceptors,
  ValidationPipe,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { IsInt, IsString, Min } from 'class-validator';
import { Observable, map } from 'rxjs';
import {
  ConfigurationError,
  EventSubscriber,
  InjectTaskQueue,
  getTaskQueueHealthToken,
  getTaskQueueRegistryToken,
  TaskQueueHandlerRegistry,
  TaskQueueHealthIndicator,
  MemoryBroker,
  QUEUE_CONTEXT_TYPE,
  TaskContext,
  TaskHandler,
  TaskMessage,
  TaskPayload,
  TaskQueue,
  TaskQueueModule,
  WireHeaders,
} from '@databus/queue';
import { uniqueName, waitFor } from '@databus/testing';
import { FAST, pause } from './conformance/fixture';

class StatsTask {
  @IsString() sensor!: string;
  @IsInt() @Min(1) window!: number;
}

describe('TaskQueueModule in a Nest application (memory backend)', () => {
  let broker: MemoryBroker;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(() => {
    broker = new MemoryBroker();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    broker.close();
  });

  async function boot(
    metadata: Parameters<typeof Test.createTestingModule>[0],
    global?: (app: INestApplication) => void,
  ) {
    const moduleRef = await Test.createTestingModule(metadata).compile();
    moduleRef.useLogger(false);
    const app = moduleRef.createNestApplication();
    global?.(app);
    await app.init();
    closers.push(() => app.close());
    return app;
  }

  it('runs handlers in controllers through guards, interceptors, pipes and filters under the databus-queue context', async () => {
    const queue = uniqueName('enhanced');
    const seen: Array<{ type: string; payload: unknown; attempt: number }> = [];
    const filtered: string[] = [];

    @Injectable()
    class OnlyQueueContext implements CanActivate {
      canActivate(context: ExecutionContext): boolean {
        const allowed = context.getType<string>() === QUEUE_CONTEXT_TYPE;
        const [payload] = context.getArgs<[{ sensor?: string }]>();
        return allowed && payload.sensor !== 'forbidden';
      }
    }
    @Injectable()
    class Stamp implements NestInterceptor {
      intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
        return next.handle().pipe(map((value) => ({ ...(value as object), stamped: context.getType() })));
      }
    }
    @Catch()
    class Recorder implements ExceptionFilter {
      catch(exception: Error, host: ArgumentsHost): void {
        filtered.push(`${host.getType()}:${exception.message}`);
        throw exception;
      }
    }
    @Controller()
    @UseGuards(OnlyQueueContext)
    @UseInterceptors(Stamp)
    @UseFilters(Recorder)
    class StatsController {
      @TaskHandler(queue, { retry: false, deadLetter: false })
      compute(
        @TaskPayload(new ValidationPipe({ transform: true })) task: StatsTask,
        @TaskContext() message: TaskMessage,
      ): object {
        seen.push({ type: task.constructor.name, payload: { ...task }, attempt: message.attempt });
        if (task.sensor === 'explode') throw new Error('explode');
        return { mean: 1 };
      }
    }
    const app = await boot({
      imports: [TaskQueueModule.forRoot({ url: 'memory://', memoryBroker: broker, ...FAST })],
      controllers: [StatsController],
    });
    const taskQueue = app.get(TaskQueue);
    await expect(taskQueue.request(queue, { sensor: 'a', window: 5 })).resolves.toEqual({
      mean: 1,
      stamped: QUEUE_CONTEXT_TYPE,
    });
    expect(seen[0]).toEqual({ type: 'StatsTask', payload: { sensor: 'a', window: 5 }, attempt: 1 });
    await taskQueue.enqueue(queue, { sensor: 'explode', window: 1 });
    await waitFor(() => filtered.includes('databus-queue:explode'));
    await taskQueue.enqueue(queue, { sensor: 'forbidden', window: 1 });
    await waitFor(() => filtered.some((f) => f.startsWith('databus-queue:Forbidden')));
  });

  it("accepts Nest's own @Payload() and @Ctx(), and dead-letters a payload that fails validation without retrying", async () => {
    const queue = uniqueName('validated');
    const calls: unknown[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue, { retry: { attempts: 5 } })
      handle(@Payload('sensor') sensor: string, @Ctx() message: TaskMessage): void {
        calls.push([sensor, message.queue]);
      }
    }
    @Injectable()
    class Validated {
      @TaskHandler(`${queue}-strict`, { retry: { attempts: 5 } })
      handle(@Payload() task: StatsTask): void {
        calls.push(task);
      }
    }
    await boot(
      {
        imports: [TaskQueueModule.forRoot({ url: 'memory://', memoryBroker: broker, ...FAST })],
        providers: [Worker, Validated],
      },
      (app) => app.useGlobalPipes(new ValidationPipe()),
    );
    const producer = await boot({
      imports: [TaskQueueModule.forRoot({ url: 'memory://', memoryBroker: broker })],
    });
    await producer.get(TaskQueue).enqueue(queue, { sensor: 's1' });
    await producer.get(TaskQueue).enqueue(`${queue}-strict`, { sensor: 7, window: 0 });
    await waitFor(() => calls.length === 1);
    expect(calls[0]).toEqual(['s1', queue]);
    const dead = await waitFor(() => broker.get(`${queue}-strict.dlq`));
    expect(dead.properties.headers?.[WireHeaders.REASON]).toBe('permanent-error');
    expect(dead.properties.headers?.[WireHeaders.ATTEMPTS]).toBe(1);
    expect(calls).toHaveLength(1);
  });

  it('supports several named connections without crossing handlers, injected with @InjectTaskQueue(name)', async () => {
    const other = new MemoryBroker();
    closers.push(async () => other.close());
    const queue = uniqueName('named');
    const got: string[] = [];
    @Injectable()
    class Workers {
      @TaskHandler(queue)
      onDefault(task: { from: string }): void {
        got.push(`default<-${task.from}`);
      }
      @TaskHandler(queue, { connection: 'audit' })
      onAudit(task: { from: string }): void {
        got.push(`audit<-${task.from}`);
      }
    }
    @Injectable()
    class Producer {
      constructor(
        readonly main: TaskQueue,
        @InjectTaskQueue('audit') readonly audit: TaskQueue,
      ) {}
    }
    @Injectable()
    class Ops {
      constructor(
        readonly mainRegistry: TaskQueueHandlerRegistry,
        @Inject(getTaskQueueRegistryToken('audit')) readonly auditRegistry: TaskQueueHandlerRegistry,
        readonly mainHealth: TaskQueueHealthIndicator,
        @Inject(getTaskQueueHealthToken('audit')) readonly auditHealth: TaskQueueHealthIndicator,
      ) {}
    }
    const app = await boot({
      imports: [
        TaskQueueModule.forRoot({ url: 'memory://', memoryBroker: broker }),
        TaskQueueModule.forRootAsync({
          name: 'audit',
          useFactory: () => ({ url: 'memory://', memoryBroker: other }),
        }),
      ],
      providers: [Workers, Producer, Ops],
    });
    const producer = app.get(Producer);
    expect(producer.main).not.toBe(producer.audit);
    await producer.main.enqueue(queue, { from: 'main' });
    await producer.audit.enqueue(queue, { from: 'audit' });
    await waitFor(() => got.length === 2);
    await pause(50);
    expect(got.sort()).toEqual(['audit<-audit', 'default<-main']);
    expect(broker.consumerCount(queue)).toBe(1);
    expect(other.consumerCount(queue)).toBe(1);
    // Each connection has its own registry and health indicator, injected by class or by named token.
    const ops = app.get(Ops);
    expect(ops.mainRegistry.list().map((h) => h.id)).toEqual(['Workers.onDefault']);
    expect(ops.auditRegistry.list().map((h) => h.id)).toEqual(['Workers.onAudit']);
    expect(ops.auditHealth).not.toBe(ops.mainHealth);
    expect(ops.auditHealth.check('audit').audit.status).toBe('up');
  });

  it('takes its options from @nestjs/config through forRootAsync, and can be global', async () => {
    const queue = uniqueName('configured');
    const got: unknown[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue)
      handle(task: unknown): void {
        got.push(task);
      }
    }
    @Module({ providers: [Worker] })
    class FeatureModule {}
    const app = await boot({
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [() => ({ QUEUE_URL: 'memory://', QUEUE_PREFETCH: 7 })],
        }),
        TaskQueueModule.forRootAsync({
          isGlobal: true,
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            url: config.getOrThrow<string>('QUEUE_URL'),
            prefetch: config.get<number>('QUEUE_PREFETCH'),
            memoryBroker: broker,
          }),
        }),
        FeatureModule,
      ],
    });
    await app.get(TaskQueue).enqueue(queue, { ok: 1 });
    await waitFor(() => got.length === 1);
    expect(got).toEqual([{ ok: 1 }]);
  });

  it('fails at startup with a ConfigurationError naming the option', async () => {
    const queue = uniqueName('bad');
    @Injectable()
    class Greedy {
      @TaskHandler(queue, { concurrency: 30 })
      handle(): void {}
    }
    const start = (
      options: object,
      providers: Parameters<typeof Test.createTestingModule>[0]['providers'] = [],
    ) => boot({ imports: [TaskQueueModule.forRoot(options as never)], providers });
    await expect(start({ url: 'memory://' }, [Greedy])).rejects.toThrow(
      /Greedy\.handle @TaskHandler\.concurrency".*at most the prefetch \(20\)/,
    );
    await expect(start({ url: 'kafka://localhost:9092' })).rejects.toBeInstanceOf(ConfigurationError);
    await expect(start({ url: 'memory://', prefetch: 0 })).rejects.toThrow(/TaskQueueModule\.prefetch/);
    await expect(start({ url: 'amqp://u:secret@localhost', tls: { ca: '/nope/ca.pem' } })).rejects.toThrow(
      /TaskQueueModule\.tls.*amqps/,
    );
    await expect(start({ url: 'amqps://u:secret@localhost', tls: { ca: '/nope/ca.pem' } })).rejects.toThrow(
      /TaskQueueModule\.tls\.ca/,
    );
    await expect(
      start({ url: 'amqps://u:secret@localhost', tls: { ca: '/nope/ca.pem' } }),
    ).rejects.not.toThrow(/secret/);
  });

  it('rejects handlers in request-scoped providers and two handlers for one queue', async () => {
    const queue = uniqueName('scoped');
    @Injectable({ scope: Scope.REQUEST })
    class Scoped {
      @TaskHandler(queue)
      handle(): void {}
    }
    @Injectable()
    class A {
      @TaskHandler(queue)
      handle(): void {}
    }
    @Injectable()
    class B {
      @TaskHandler(queue)
      handle(): void {}
    }
    const url = { url: 'memory://', memoryBroker: broker };
    await expect(boot({ imports: [TaskQueueModule.forRoot(url)], providers: [Scoped] })).rejects.toThrow(
      /request-scoped/,
    );
    await expect(boot({ imports: [TaskQueueModule.forRoot(url)], providers: [A, B] })).rejects.toThrow(
      /two handlers/,
    );
  });

  it('starts no consumer with registerHandlers: false (a producer-only instance)', async () => {
    const queue = uniqueName('api-only');
    @Injectable()
    class Worker {
      @TaskHandler(queue)
      handle(): void {}
      @EventSubscriber(queue)
      onEvent(): void {}
    }
    const app = await boot({
      imports: [TaskQueueModule.forRoot({ url: 'memory://', memoryBroker: broker, registerHandlers: false })],
      providers: [Worker],
    });
    await app.get(TaskQueue).enqueue(queue, { n: 1 });
    await pause(30);
    expect(broker.consumerCount(queue)).toBe(0);
    expect(broker.messageCount(queue)).toBe(1);
  });

  it('honours priorities on queues declared with maxPriority, and refuses a priority above it', async () => {
    const queue = uniqueName('prio');
    const app = await boot({
      imports: [TaskQueueModule.forRoot({ url: 'memory://', memoryBroker: broker, maxPriority: 5 })],
    });
    const taskQueue = app.get(TaskQueue);
    await taskQueue.enqueue(queue, { n: 'low' }, { priority: 1 });
    await taskQueue.enqueue(queue, { n: 'high' }, { priority: 5 });
    expect(JSON.parse(broker.get(queue)?.body.toString() ?? '')).toEqual({ n: 'high' });
    await expect(taskQueue.enqueue(queue, {}, { priority: 6 })).rejects.toThrow(/maxPriority/);
  });

  it('delivers a delayed task only after its delay', async () => {
    const queue = uniqueName('delayed');
    const got: number[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue)
      handle(): void {
        got.push(Date.now());
      }
    }
    const app = await boot({
      imports: [TaskQueueModule.forRoot({ url: 'memory://', memoryBroker: broker })],
      providers: [Worker],
    });
    const sent = Date.now();
    await app.get(TaskQueue).enqueue(queue, {}, { delayMs: 150 });
    await waitFor(() => got.length === 1);
    expect(got[0] - sent).toBeGreaterThanOrEqual(140);
  });
});

describe('TaskQueueModule connection log', () => {
  it('logs one line when it connects, like the streaming lib', async () => {
    const lines: string[] = [];
    const keep = (message: unknown, context?: unknown) =>
      lines.push(`${String(context)}: ${String(message)}`);
    const moduleRef = await Test.createTestingModule({
      imports: [
        TaskQueueModule.forRoot({
          url: 'memory://',
          logger: { log: keep, warn: keep, error: keep, debug: () => undefined },
        }),
      ],
    }).compile();
    await moduleRef.init();
    await moduleRef.close();
    expect(lines).toEqual(['TaskQueue:default: Connected to memory:// (memory).']);
  });
});
