import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Injectable } from '@nestjs/common';
import { brokerUrl, describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { Ctx, DatasetMessage, Offset, OnDatasetMessage, Payload } from '@databus/streaming';
import { startApp } from '../conformance/harness';
import { kafkaClasspath } from './kafka-test-kit';

const run = promisify(execFile);
const bootstrap = (): string => brokerUrl('kafka').replace(/^kafka:\/\//, '');

/** Runs one of the broker distribution's own tools (kafka-tools, same jars as the broker) with `input`. */
async function javaTool(main: string, args: string[], input = ''): Promise<string> {
  const child = run('java', ['-Xmx256m', '-cp', kafkaClasspath(), main, ...args], {
    timeout: 60_000,
    maxBuffer: 1 << 20,
  });
  child.child.stdin?.end(input);
  return (await child).stdout;
}

describeWithBroker(
  'kafka',
  "kafka interop with Apache Kafka's own Java console producer and consumer",
  () => {
    jest.setTimeout(120_000);

    it('kafka-console-producer → @OnDatasetMessage: value, key and headers arrive as sent', async () => {
      const dataset = uniqueName('kafka-java-in');
      const seen: Array<{ payload: unknown; key?: string; trace?: string; contentType?: string }> = [];
      @Injectable()
      class Handler {
        @OnDatasetMessage(dataset, { group: uniqueName('g'), offset: Offset.BEGIN })
        on(@Payload() payload: unknown, @Ctx() msg: DatasetMessage) {
          seen.push({
            payload,
            key: msg.key,
            trace: msg.headers.trace,
            contentType: msg.headers['content-type'],
          });
        }
      }
      // The subscription creates the topic (the test broker does not auto-create).
      const app = await startApp({ name: 'kafka', url: () => brokerUrl('kafka') }, brokerUrl('kafka'), {
        providers: [Handler],
        options: { transportOptions: { numPartitions: 1 } },
      });
      try {
        // One line per record: headers <TAB> key <TAB> value.
        await javaTool(
          'org.apache.kafka.tools.ConsoleProducer',
          [
            '--bootstrap-server',
            bootstrap(),
            '--topic',
            dataset,
            '--property',
            'parse.key=true',
            '--property',
            'key.separator=\t',
            '--property',
            'parse.headers=true',
            '--property',
            'headers.delimiter=\t',
          ],
          'content-type:application/json,trace:abc\tsensor-7\t{"value":42}\n',
        );
        await waitFor(() => seen.length === 1, { timeoutMs: 30_000, message: 'the Java producer record' });
        expect(seen[0]).toEqual({
          payload: { value: 42 },
          key: 'sensor-7',
          trace: 'abc',
          contentType: 'application/json',
        });
      } finally {
        await app.close();
      }
    });

    it('ChannelService.produce → kafka-console-consumer: the value is the JSON, key and headers as Kafka fields', async () => {
      const dataset = uniqueName('kafka-java-out');
      const app = await startApp({ name: 'kafka', url: () => brokerUrl('kafka') }, brokerUrl('kafka'), {
        options: { transportOptions: { numPartitions: 1 } },
      });
      try {
        await app.channel.produce(dataset, { reading: 1 }, { key: 'sensor-8', headers: { trace: 'xyz' } });
        const out = await javaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
          '--bootstrap-server',
          bootstrap(),
          '--topic',
          dataset,
          '--from-beginning',
          '--max-messages',
          '1',
          '--timeout-ms',
          '30000',
          '--property',
          'print.key=true',
          '--property',
          'print.headers=true',
        ]);
        const [headers, key, value] = out.trim().split('\t');
        expect(key).toBe('sensor-8');
        expect(JSON.parse(value)).toEqual({ reading: 1 });
        expect(headers.split(',').sort()).toEqual(
          expect.arrayContaining(['content-type:application/json', 'trace:xyz']),
        );
      } finally {
        await app.close();
      }
    });
  },
);
