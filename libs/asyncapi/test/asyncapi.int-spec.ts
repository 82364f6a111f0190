import { Parser } from '@asyncapi/parser';
import { Controller, INestApplication, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsNumber, IsString } from 'class-validator';
import { AsyncApiModule, AsyncApiService } from '@databus/asyncapi';
import { EventSubscriber, TaskHandler, TaskPayload, TaskQueueModule } from '@databus/queue';
import { Ctx, DatasetMessage, OnDatasetMessage, Payload, StreamingModule } from '@databus/streaming';
import { brokerUrl, describeWithBroker, uniqueName } from '@databus/testing';

class ReadingDto {
  @IsString() sensor!: string;
  @IsNumber() value!: number;
}

class StatsTask {
  @IsString() sensor!: string;
}

@Controller()
class ReadingsController {
  @OnDatasetMessage('sensor-readings', { group: 'store' })
  onReading(@Payload() _reading: ReadingDto, @Ctx() _message: DatasetMessage): void {}
}

@Injectable()
class StatsWorker {
  @TaskHandler('stats')
  compute(@TaskPayload() _task: StatsTask): void {}

  @EventSubscriber('notifications')
  onNotification(@TaskPayload('text') _text: string): void {}
}

async function errorsOf(document: unknown): Promise<string[]> {
  const diagnostics = await new Parser().validate(JSON.stringify(document));
  return diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
}

async function start(queueUrl: string, path?: string | false): Promise<INestApplication> {
  @Module({
    imports: [
      StreamingModule.forRoot({ url: `memory://${uniqueName('asyncapi')}` }),
      TaskQueueModule.forRoot({ url: queueUrl }),
      AsyncApiModule.forRoot({
        info: { title: 'Sensor hub', version: '1.0.0' },
        path,
        producers: [
          { dataset: 'sensor-readings', payload: ReadingDto },
          { task: 'stats', payload: StatsTask },
        ],
      }),
    ],
    controllers: [ReadingsController],
    providers: [StatsWorker],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

async function get(app: INestApplication, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${await app.getUrl()}${path}`);
  return { status: response.status, body: await response.text() };
}

describe('AsyncApiModule in an application on the memory transports', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await start('memory://');
  });
  afterAll(() => app?.close());

  it('serves at /asyncapi.json a document the AsyncAPI parser validates, built from the decorated handlers', async () => {
    const response = await get(app, '/asyncapi.json');
    expect(response.status).toBe(200);
    const document = JSON.parse(response.body);
    await expect(errorsOf(document)).resolves.toEqual([]);
    expect(Object.keys(document.channels)).toEqual([
      'dataset.sensor-readings',
      'task.stats',
      'event.notifications',
    ]);
    expect(document.operations['ReadingsController.onReading']).toMatchObject({
      action: 'receive',
      messages: [{ $ref: '#/channels/dataset.sensor-readings/messages/ReadingDto' }],
    });
    expect(document.operations['StatsWorker.compute'].action).toBe('receive');
    expect(document.operations['StatsWorker.onNotification'].action).toBe('receive');
    expect(document.operations['send.task.stats'].action).toBe('send');
    expect(document.components.schemas.ReadingDto.properties).toEqual({
      sensor: { type: 'string' },
      value: { type: 'number' },
    });
  });

  it('reads @Payload(property) as no payload class (the whole body is not that property)', async () => {
    const document = app.get(AsyncApiService).document();
    const messages = Object.keys(document.channels['event.notifications'].messages as object);
    expect(messages).toEqual(['event.notifications.message']);
  });

  it('answers 404 elsewhere: only the chosen route is added', async () => {
    expect((await get(app, '/asyncapi.yaml')).status).toBe(404);
  });
});

describe('AsyncApiModule with path: false', () => {
  it('serves no route, and AsyncApiService gives the document in code', async () => {
    const app = await start('memory://', false);
    try {
      expect((await get(app, '/asyncapi.json')).status).toBe(404);
      expect(app.get(AsyncApiService).document().info.title).toBe('Sensor hub');
    } finally {
      await app.close();
    }
  });
});

describeWithBroker('amqp', 'AsyncApiModule with a task queue on RabbitMQ', () => {
  it('lists the broker as a server without the user or password of the URL', async () => {
    const url = new URL(brokerUrl('amqp'));
    url.username = 'guest';
    url.password = 'guest';
    const app = await start(url.toString(), '/docs/asyncapi.json');
    try {
      const response = await get(app, '/docs/asyncapi.json');
      expect(response.status).toBe(200);
      expect(response.body).not.toContain('guest');
      const document = JSON.parse(response.body);
      expect(document.servers).toEqual({ queue: { host: `${url.hostname}:${url.port}`, protocol: 'amqp' } });
      expect(document.channels['task.stats'].servers).toEqual([{ $ref: '#/servers/queue' }]);
      await expect(errorsOf(document)).resolves.toEqual([]);
    } finally {
      await app.close();
    }
  });
});
