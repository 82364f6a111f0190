import {
  ArgumentsHost,
  CallHandler,
  CanActivate,
  Catch,
  Controller,
  ExceptionFilter,
  ExecutionContext,
  Injectable,
  Module,
  NestInterceptor,
  UseFilters,
  UseGuards,
  UseInterceptors,
  ValidationPipe,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsNumber, IsString } from 'class-validator';
import { map } from 'rxjs';
import { waitFor } from '@databus/testing';
import {
  ChannelService,
  ConfigurationError,
  Ctx,
  DatabusHeaders,
  DATABUS_CONTEXT_TYPE,
  DatasetMessage,
  getStreamingHealthToken,
  getStreamingRegistryToken,
  InjectChannel,
  OnDatasetMessage,
  Payload,
  StreamingModule,
  Offset,
  StreamingTransport,
  SubscriptionClosedError,
  TemporaryError,
  TransportFactory,
  UnsupportedFeatureError,
} from '@databus/streaming';
import { memoryTransportFactory } from '../../src/transports/memory/memory.transport';
import { dataset } from '../conformance/harness';

class ReadingDto {
  @IsString() sensor!: string;
  @IsNumber() value!: number;
}

const url = 'memory://handlers';

async function app(imports: unknown[], providers: unknown[] = [], controllers: unknown[] = []) {
  const module = await Test.createTestingModule({
    imports: imports as never,
    providers: providers as never,
    controllers: controllers as never,
  }).compile();
  await module.init();
  return module;
}

async function dlqOf(channel: ChannelService, name: string): Promise<DatasetMessage[]> {
  const seen: DatasetMessage[] = [];
  const sub = await channel.subscribe(name, { batch: 1, maxWaitMs: 50, callback: (m) => void seen.push(m) });
  void sub;
  return seen;
}

describe('@OnDatasetMessage handlers run through the Nest enhancer chain', () => {
  it('validates @Payload() with ValidationPipe: a valid DTO reaches the handler, an invalid one is dead-lettered at once', async () => {
    const ds = dataset('dto');
    const seen: ReadingDto[] = [];
    @Controller()
    class ReadingsController {
      @OnDatasetMessage(ds, { batch: 1 })
      store(@Payload(new ValidationPipe({ transform: true })) reading: ReadingDto) {
        seen.push(reading);
      }
    }
    const module = await app([StreamingModule.forRoot({ url, logger: false })], [], [ReadingsController]);
    const channel = module.get(ChannelService);
    const dead = await dlqOf(channel, `${ds}.dlq`);
    await channel.produce(ds, { sensor: 'a', value: 'not a number' });
    await channel.produce(ds, { sensor: 'a', value: 1.5 });
    await waitFor(() => seen.length === 1 && dead.length === 1);
    expect(seen[0]).toBeInstanceOf(ReadingDto);
    expect(dead[0].headers[DatabusHeaders.ATTEMPTS]).toBe('1');
    expect(dead[0].headers[DatabusHeaders.ERROR_MESSAGE]).toContain('value must be a number');
    await module.close();
  });

  it('applies guards, interceptors and exception filters, with the databus context type', async () => {
    const ds = dataset('chain');
    const types: string[] = [];
    const results: unknown[] = [];
    @Injectable()
    class OnlyKeyed implements CanActivate {
      canActivate(context: ExecutionContext): boolean {
        types.push(context.getType());
        const message = context.switchToRpc().getContext<DatasetMessage>();
        return message.key !== undefined;
      }
    }
    @Injectable()
    class Wrap implements NestInterceptor {
      intercept(_c: ExecutionContext, next: CallHandler) {
        return next.handle().pipe(map((value) => ({ wrapped: value })));
      }
    }
    class Recoverable extends Error {}
    @Catch(Recoverable)
    class Recover implements ExceptionFilter {
      catch(_e: Recoverable, host: ArgumentsHost) {
        types.push(`filter:${host.getType()}`);
        return 'recovered';
      }
    }
    @Injectable()
    class Handler {
      @OnDatasetMessage(ds, { batch: 1, retry: { attempts: 1 } })
      @UseGuards(OnlyKeyed)
      @UseInterceptors(Wrap)
      @UseFilters(Recover)
      handle(@Payload('n') n: number) {
        if (n === 2) throw new Recoverable('handled by the filter');
        results.push(n);
        return n * 10;
      }
    }
    const module = await app([StreamingModule.forRoot({ url, logger: false })], [Handler]);
    const channel = module.get(ChannelService);
    const dead = await dlqOf(channel, `${ds}.dlq`);
    const reply = await channel.request(ds, { n: 1 }, { key: 'k', timeoutMs: 2000 });
    expect(reply.json()).toEqual({ wrapped: 10 });
    await channel.produce(ds, { n: 5 }); // no key: the guard refuses it → ForbiddenException, not retried
    await waitFor(() => dead.length === 1);
    expect(dead[0].headers[DatabusHeaders.ERROR_NAME]).toBe('ForbiddenException');
    const recovered = await channel.request(ds, { n: 2 }, { key: 'k', timeoutMs: 2000 });
    expect(recovered.text()).toBe('recovered');
    expect(types).toContain(DATABUS_CONTEXT_TYPE);
    expect(types).toContain(`filter:${DATABUS_CONTEXT_TYPE}`);
    expect(results).toEqual([1]);
    await module.close();
  });

  it('applies class-referenced guards and interceptors on controller handlers too', async () => {
    const ds = dataset('ctrl');
    const calls: string[] = [];
    @Injectable()
    class Audit implements CanActivate {
      canActivate(): boolean {
        calls.push('guard');
        return true;
      }
    }
    @Injectable()
    class Timing implements NestInterceptor {
      intercept(_c: ExecutionContext, next: CallHandler) {
        calls.push('interceptor');
        return next.handle();
      }
    }
    @Controller()
    class ReadingsController {
      @OnDatasetMessage(ds, { batch: 1 })
      @UseGuards(Audit)
      @UseInterceptors(Timing)
      store() {
        calls.push('handler');
      }
    }
    const module = await app([StreamingModule.forRoot({ url, logger: false })], [], [ReadingsController]);
    await module.get(ChannelService).produce(ds, {});
    await waitFor(() => calls.includes('handler'));
    expect(calls).toEqual(['guard', 'interceptor', 'handler']);
    await module.close();
  });

  it('discovers handlers on controllers and on useValue / useFactory providers', async () => {
    const ds = dataset('disc');
    const seen: string[] = [];
    class Plain {
      @OnDatasetMessage(ds, { batch: 1, group: 'plain' })
      on() {
        seen.push('factory');
      }
    }
    @Controller()
    class C {
      @OnDatasetMessage(ds, { batch: 1, group: 'ctrl' })
      on() {
        seen.push('controller');
      }
    }
    const module = await app(
      [StreamingModule.forRoot({ url, logger: false })],
      [{ provide: 'PLAIN', useFactory: () => new Plain() }],
      [C],
    );
    await module.get(ChannelService).produce(ds, {});
    await waitFor(() => seen.length === 2);
    expect(seen.sort()).toEqual(['controller', 'factory']);
    await module.close();
  });

  it('keeps named connections apart: handlers and @InjectChannel bind to their own connection', async () => {
    const ds = dataset('named');
    const seen: string[] = [];
    @Injectable()
    class Both {
      constructor(
        @InjectChannel('left') readonly left: ChannelService,
        @InjectChannel('right') readonly right: ChannelService,
      ) {}
      @OnDatasetMessage(ds, { batch: 1, connection: 'left' })
      onLeft(@Ctx() m: DatasetMessage) {
        seen.push(`left:${m.text()}`);
      }
      @OnDatasetMessage(ds, { batch: 1, connection: 'right' })
      onRight(@Ctx() m: DatasetMessage) {
        seen.push(`right:${m.text()}`);
      }
    }
    @Module({
      imports: [
        StreamingModule.forRoot({ url: 'memory://left', logger: false, name: 'left', isGlobal: true }),
        StreamingModule.forRootAsync({
          name: 'right',
          isGlobal: true,
          useFactory: () => ({ url: 'memory://right', logger: false }),
        }),
      ],
      providers: [Both],
    })
    class AppModule {}
    const module = await app([AppModule]);
    expect(
      module
        .get(getStreamingRegistryToken('left'))
        .list()
        .map((h: { id: string }) => h.id),
    ).toEqual(['Both.onLeft']);
    expect(module.get(getStreamingHealthToken('right')).check('right').right.status).toBe('up');
    const both = module.get(Both);
    await both.left.produce(ds, 'L');
    await both.right.produce(ds, 'R');
    await waitFor(() => seen.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.sort()).toEqual(['left:L', 'right:R']);
    await module.close();
  });

  it('runs no handler on an API-only instance (handlers: false) but still produces', async () => {
    const ds = dataset('off');
    const seen: number[] = [];
    class H {
      @OnDatasetMessage(ds, { batch: 1 })
      on() {
        seen.push(1);
      }
    }
    const module = await app([StreamingModule.forRoot({ url, logger: false, handlers: false })], [H]);
    await module.get(ChannelService).produce(ds, {});
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);
    await module.close();
  });
});

describe('bad input gets typed, clear errors', () => {
  it('an unknown URL scheme fails the bootstrap naming the option', async () => {
    await expect(app([StreamingModule.forRoot({ url: 'redis://localhost' })])).rejects.toThrow(
      ConfigurationError,
    );
    await expect(app([StreamingModule.forRoot({ url: 'redis://localhost' })])).rejects.toThrow(
      /StreamingModule\.url/,
    );
  });

  it('a bad handler option fails the bootstrap naming the handler and the option', async () => {
    class H {
      @OnDatasetMessage('x', { batch: 0 })
      on() {}
    }
    await expect(app([StreamingModule.forRoot({ url, logger: false })], [H])).rejects.toThrow(
      /@OnDatasetMessage\('x'\) on H\.on: batch/,
    );
  });

  it('an unreachable broker fails the bootstrap within connectTimeoutMs with a TemporaryError naming the option', async () => {
    const attempt = app([
      StreamingModule.forRoot({
        url: 'kafka://127.0.0.1:1',
        logger: false,
        connectTimeoutMs: 300,
        reconnect: { initialMs: 10, maxMs: 20 },
      }),
    ]);
    await expect(attempt).rejects.toThrow(TemporaryError);
    await expect(attempt).rejects.toThrow(
      /^Could not connect to kafka:\/\/127\.0\.0\.1:1 within connectTimeoutMs = 300 ms/,
    );
  });

  it('seek, commit and fetch on a closed subscription fail with SubscriptionClosedError', async () => {
    const module = await app([StreamingModule.forRoot({ url, logger: false })]);
    const sub = await module.get(ChannelService).subscribe(dataset('closed'));
    await sub.close();
    await expect(sub.seek({ kind: 'begin' })).rejects.toBeInstanceOf(SubscriptionClosedError);
    await expect(sub.commit()).rejects.toBeInstanceOf(SubscriptionClosedError);
    await module.close();
  });

  it('json() on a body that is not JSON throws PayloadDecodeError naming the message, not echoing the body', async () => {
    const module = await app([StreamingModule.forRoot({ url, logger: false })]);
    const channel = module.get(ChannelService);
    const ds = dataset('text');
    const sub = await channel.subscribe(ds, { batch: 1, maxWaitMs: 50 });
    await channel.produce(ds, 'secret-ish plain text');
    const message = await (async (): Promise<DatasetMessage> => {
      for await (const m of sub) return m;
      throw new Error('subscription ended without a message');
    })();
    expect(message.text()).toBe('secret-ish plain text');
    expect(() => message.json()).toThrow(/not valid JSON/);
    expect(() => message.json()).not.toThrow(/secret-ish/);
    await sub.close();
    await module.close();
  });

  it('an unsupported position on a transport without it is an UnsupportedFeatureError naming transport and feature', async () => {
    const ds = dataset('no-seek');
    // The memory transport, reporting no positions (as MQTT does): the runtime must refuse before subscribing.
    const withoutPositions: TransportFactory = (context) => {
      const memory = memoryTransportFactory(context);
      return Object.create(memory, {
        capabilities: {
          value: { ...memory.capabilities, seekBySequence: false, seekByTime: false, seek: false },
        },
      }) as StreamingTransport;
    };
    @Injectable()
    class FromSequence {
      @OnDatasetMessage(ds, { offset: Offset.sequence(5) })
      read(): void {}
    }
    const attempt = app(
      [StreamingModule.forRoot({ url: 'memory://no-seek', transport: withoutPositions, logger: false })],
      [FromSequence],
    );
    await expect(attempt).rejects.toThrow(UnsupportedFeatureError);
    await expect(attempt).rejects.toThrow(
      `The memory transport does not support positions by sequence: @OnDatasetMessage('${ds}') on FromSequence.read asks for sequence 5`,
    );
  });
});
