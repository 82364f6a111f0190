import { Parser } from '@asyncapi/parser';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { MessagingCatalog } from '@databus/common/internal';
import { resolveAsyncApiOptions } from './asyncapi-options';
import { buildAsyncApiDocument } from './build-document';

class ReadingDto {
  @IsString() sensor!: string;
  @IsInt() @Min(-50) @Max(150) value!: number;
  @IsOptional() @IsString() unit?: string;
}

class StatsTask {
  @IsString() sensor!: string;
}

const streaming: MessagingCatalog = {
  library: 'streaming',
  connection: 'default',
  server: {
    scheme: 'nats',
    hosts: [
      { host: 'n1', port: 4222 },
      { host: '::1', port: 4223 },
    ],
    path: '',
  },
  handlers: [
    {
      id: 'ReadingsHandler.onReading',
      kind: 'dataset',
      address: 'sensor-readings',
      group: 'store',
      payloadType: ReadingDto,
    },
  ],
};

const queue: MessagingCatalog = {
  library: 'queue',
  connection: 'default',
  server: { scheme: 'amqps', hosts: [{ host: 'rabbit', port: 5671 }], path: 'prod' },
  handlers: [
    { id: 'StatsWorker.compute', kind: 'task', address: 'stats', payloadType: StatsTask },
    { id: 'Notifier.onNotification', kind: 'event', address: 'notifications', group: 'notifier' },
  ],
};

const options = resolveAsyncApiOptions({
  info: { title: 'Sensor hub', version: '1.2.0' },
  producers: [
    { dataset: 'sensor-readings', payload: ReadingDto, summary: 'A reading from the simulator' },
    { task: 'stats', payload: StatsTask },
    { event: 'notifications' },
  ],
});

async function errorsOf(document: unknown): Promise<string[]> {
  const diagnostics = await new Parser().validate(JSON.stringify(document));
  return diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
}

describe('buildAsyncApiDocument', () => {
  const document = buildAsyncApiDocument([streaming, queue], options);

  it('is a valid AsyncAPI 3.0 document for the AsyncAPI project parser', async () => {
    expect(document.asyncapi).toBe('3.0.0');
    await expect(errorsOf(document)).resolves.toEqual([]);
  });

  it('has one channel per dataset, task queue and event exchange, keyed by kind', () => {
    expect(Object.keys(document.channels)).toEqual([
      'dataset.sensor-readings',
      'task.stats',
      'event.notifications',
    ]);
    expect(document.channels['task.stats'].address).toBe('stats');
  });

  it('writes a receive operation per handler and a send operation per declared producer', () => {
    expect(document.operations['ReadingsHandler.onReading']).toMatchObject({
      action: 'receive',
      channel: { $ref: '#/channels/dataset.sensor-readings' },
      messages: [{ $ref: '#/channels/dataset.sensor-readings/messages/ReadingDto' }],
      description: 'Consumer group "store".',
    });
    expect(document.operations['send.dataset.sensor-readings']).toMatchObject({
      action: 'send',
      summary: 'A reading from the simulator',
      messages: [{ $ref: '#/channels/dataset.sensor-readings/messages/ReadingDto' }],
    });
    expect(Object.keys(document.operations)).toEqual([
      'ReadingsHandler.onReading',
      'StatsWorker.compute',
      'Notifier.onNotification',
      'send.dataset.sensor-readings',
      'send.task.stats',
      'send.event.notifications',
    ]);
  });

  it('derives the payload schema from the DTO class and its class-validator rules, once per class', () => {
    expect(document.components.messages.ReadingDto).toEqual({
      name: 'ReadingDto',
      contentType: 'application/json',
      payload: { $ref: '#/components/schemas/ReadingDto' },
    });
    expect(document.components.schemas.ReadingDto).toEqual({
      type: 'object',
      title: 'ReadingDto',
      properties: {
        sensor: { type: 'string' },
        value: { type: 'integer', minimum: -50, maximum: 150 },
        unit: { type: 'string' },
      },
      required: ['sensor', 'value'],
    });
    expect(Object.keys(document.components.schemas)).toEqual(['ReadingDto', 'StatsTask']);
  });

  it('gives a handler without a @Payload() class an open payload', () => {
    const message = document.channels['event.notifications'].messages as Record<string, { $ref: string }>;
    const [id] = Object.keys(message);
    expect(document.components.messages[id].payload).toEqual({});
  });

  it('lists one server per host of a cluster URL, never with credentials, and links channels to them', () => {
    expect(document.servers).toEqual({
      streaming: { host: 'n1:4222', protocol: 'nats', title: 'streaming (host 1 of 2)' },
      'streaming-2': { host: '[::1]:4223', protocol: 'nats', title: 'streaming (host 2 of 2)' },
      queue: { host: 'rabbit:5671', protocol: 'amqps', pathname: '/prod' },
    });
    expect(document.channels['dataset.sensor-readings'].servers).toEqual([
      { $ref: '#/servers/streaming' },
      { $ref: '#/servers/streaming-2' },
    ]);
  });

  it('describes the queue channels with the AMQP bindings the queue declares them with', () => {
    expect(document.channels['task.stats'].bindings).toMatchObject({
      amqp: { is: 'queue', queue: { name: 'stats', durable: true } },
    });
    expect(document.channels['event.notifications'].bindings).toMatchObject({
      amqp: { is: 'routingKey', exchange: { name: 'notifications', type: 'fanout' } },
    });
  });

  it('adds no server for the memory transport (nothing outside the process can connect to it)', () => {
    const memory = buildAsyncApiDocument(
      [{ ...streaming, server: { scheme: 'memory', hosts: [{ host: 'demo' }], path: '' } }],
      { info: options.info, producers: [] },
    );
    expect(memory.servers).toBeUndefined();
    expect(memory.channels['dataset.sensor-readings'].servers).toBeUndefined();
  });

  it('keys the channels of a named connection by its name', () => {
    const named = buildAsyncApiDocument([{ ...streaming, connection: 'audit' }], {
      info: options.info,
      producers: [],
    });
    expect(Object.keys(named.channels)).toEqual(['dataset.audit.sensor-readings']);
    expect(Object.keys(named.servers ?? {})).toEqual(['streaming-audit', 'streaming-audit-2']);
  });
});
