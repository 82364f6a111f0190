import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { Injectable } from '@nestjs/common';
import { brokerUrl, describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { Ctx, DatasetMessage, OnDatasetMessage, Payload } from '@databus/streaming';
import { startApp } from '../conformance/harness';

const run = promisify(execFile);
const target = { name: 'mqtt', url: () => brokerUrl('mqtt') };

/** Starts `mosquitto_sub` for one message; resolves with its formatted output line. */
function subscribeOnce(topic: string): { ready: Promise<void>; line: Promise<string> } {
  const child = spawn('mosquitto_sub', [
    '-V',
    '5',
    '-q',
    '1',
    '-t',
    topic,
    '-C',
    '1',
    '-W',
    '20',
    '-F',
    '%C|%P|%p',
  ]);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const line = new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`mosquitto_sub exited ${code}: ${out}`)),
    );
  });
  // mosquitto_sub prints nothing when subscribed: give it a moment to connect and subscribe.
  const ready = new Promise<void>((resolve) => setTimeout(resolve, 500));
  return { ready, line };
}

describeWithBroker('mqtt', 'mqtt interop with mosquitto_pub / mosquitto_sub', () => {
  it('mosquitto_sub reads what we produce: JSON body (no Content Type), key and headers as user properties', async () => {
    const app = await startApp(target, brokerUrl('mqtt'), { options: { handlers: false } });
    try {
      const topic = uniqueName('interop-out');
      const sub = subscribeOnce(topic);
      await sub.ready;
      await app.channel.produce(
        topic,
        { sensor: 'a-é', value: 1 },
        { key: 'a', headers: { 'x-trace': 't1' } },
      );
      const [contentType, properties, body] = (await sub.line).split('|');
      // JSON is what a message without a Content Type is read as: it is not sent.
      expect(contentType).toBe('');
      expect(properties.split(' ').sort()).toEqual(['x-databus-key:a', 'x-trace:t1']);
      expect(JSON.parse(body)).toEqual({ sensor: 'a-é', value: 1 });
    } finally {
      await app.close();
    }
  });

  it('mosquitto_sub sees the Content Type of what is not JSON: text and bytes', async () => {
    const app = await startApp(target, brokerUrl('mqtt'), { options: { handlers: false } });
    try {
      const topic = uniqueName('interop-types');
      const text = subscribeOnce(topic);
      await text.ready;
      await app.channel.produce(topic, 'hello');
      expect((await text.line).split('|').slice(0, 1)).toEqual(['text/plain; charset=utf-8']);
      const bytes = subscribeOnce(topic);
      await bytes.ready;
      await app.channel.produce(topic, Buffer.from('raw'));
      expect((await bytes.line).split('|').slice(0, 1)).toEqual(['application/octet-stream']);
    } finally {
      await app.close();
    }
  });

  it('the dots of a dataset name are topic levels: sensors.temp is the topic sensors/temp both ways', async () => {
    const base = uniqueName('levels');
    const seen: DatasetMessage[] = [];
    @Injectable()
    class LevelHandler {
      @OnDatasetMessage(`${base}.in`, { group: 'levels', batch: 1 })
      handle(@Ctx() msg: DatasetMessage): void {
        seen.push(msg);
      }
    }
    const app = await startApp(target, brokerUrl('mqtt'), { providers: [LevelHandler] });
    try {
      const sub = subscribeOnce(`${base}/out`);
      await sub.ready;
      await app.channel.produce(`${base}.out`, { n: 1 });
      expect(JSON.parse((await sub.line).split('|')[2])).toEqual({ n: 1 });
      await run('mosquitto_pub', ['-V', '5', '-q', '1', '-t', `${base}/in`, '-m', '{"n":2}']);
      await waitFor(() => seen.length === 1, { message: 'the message mosquitto_pub sent to <base>/in' });
      expect(seen[0].dataset).toBe(`${base}.in`);
      expect(seen[0].json()).toEqual({ n: 2 });
    } finally {
      await app.close();
    }
  });

  it('a handler consumes what mosquitto_pub publishes (QoS 1 with MQTT 5 properties, and plain QoS 0)', async () => {
    const topic = uniqueName('interop-in');
    const seen: Array<{ payload: unknown; key?: string; headers: Record<string, string> }> = [];
    @Injectable()
    class Readings {
      @OnDatasetMessage(topic, { group: 'interop', batch: 1 })
      on(@Payload() payload: unknown, @Ctx() msg: DatasetMessage) {
        seen.push({ payload, key: msg.key, headers: msg.headers });
      }
    }
    const app = await startApp(target, brokerUrl('mqtt'), { providers: [Readings] });
    try {
      await new Promise((r) => setTimeout(r, 200));
      await run('mosquitto_pub', [
        ...['-V', '5', '-q', '1', '-t', topic, '-m', '{"sensor":"b","value":2}'],
        ...['-D', 'publish', 'content-type', 'application/json'],
        ...['-D', 'publish', 'user-property', 'x-databus-key', 'b'],
        ...['-D', 'publish', 'user-property', 'x-origin', 'cli'],
      ]);
      await run('mosquitto_pub', ['-t', topic, '-m', '{"sensor":"c","value":3}']); // MQTT 3.1.1, QoS 0
      await waitFor(() => seen.length === 2, { message: 'both CLI messages' });
      expect(seen[0]).toEqual({
        payload: { sensor: 'b', value: 2 },
        key: 'b',
        headers: { 'content-type': 'application/json', 'x-origin': 'cli' },
      });
      expect(seen[1]).toMatchObject({ payload: { sensor: 'c', value: 3 }, key: undefined });
    } finally {
      await app.close();
    }
  });

  it('answers a mosquitto_rr request through the MQTT 5 response topic and correlation data', async () => {
    const topic = uniqueName('interop-rpc');
    @Injectable()
    class Doubler {
      @OnDatasetMessage(topic, { group: 'rpc', batch: 1 })
      on(@Payload() payload: { n: number }) {
        return { doubled: payload.n * 2 };
      }
    }
    const app = await startApp(target, brokerUrl('mqtt'), { providers: [Doubler] });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const { stdout } = await run('mosquitto_rr', [
        ...['-V', '5', '-t', topic, '-e', `${topic}/reply`, '-m', '{"n":21}', '-W', '10'],
        ...[
          '-D',
          'publish',
          'content-type',
          'application/json',
          '-D',
          'publish',
          'correlation-data',
          'req-1',
        ],
      ]);
      expect(JSON.parse(stdout.trim())).toEqual({ doubled: 42 });
    } finally {
      await app.close();
    }
  });
});
