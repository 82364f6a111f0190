/** @jest-environment ./apps/demo/test/support/jose-environment.js */
jest.mock('jose', () => (globalThis as { __databusJose?: unknown }).__databusJose);

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ChannelService, DatasetMessage, Offset } from '@databus/streaming';
import { uniqueName, waitFor } from '@databus/testing';
import { SseParser } from '../src/client/sse-parser';
import { bootDemo, DemoUnderTest, postReadings, waitForReadings } from './support/demo-harness';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The first SSE event of `type` on `url` whose data satisfies `match`. */
async function firstEvent<T>(
  url: string,
  type: string,
  match: (data: T) => boolean,
  signal: AbortSignal,
): Promise<T> {
  const response = await fetch(url, { signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${url} ended before a matching "${type}" event`);
    for (const event of parser.push(decoder.decode(value, { stream: true }))) {
      if (event.event !== type) continue;
      const data = JSON.parse(event.data) as T;
      if (match(data)) return data;
    }
  }
}

describe('failures are visible, never silent', () => {
  let demo: DemoUnderTest;

  afterEach(async () => {
    await demo?.stop();
  });

  it('a stats task whose PUT fails publishes a log event on the logs exchange', async () => {
    // The worker PUTs to an address where no API listens.
    // Its failures are expected here: keep them out of the test output.
    demo = await bootDemo({ API_BASE_URL: `http://127.0.0.1:${await closedPort()}` }, false);
    const sensor = uniqueName('sensor');
    await postReadings(demo.url, sensor, [1, 2]);
    await waitForReadings(demo.url, sensor, 2);
    const abort = new AbortController();
    try {
      const logged = firstEvent<{ sensor?: string; level: string; content: string }>(
        `${demo.url}/api/logs`,
        'log',
        (event) => event.sensor === sensor,
        abort.signal,
      );
      // Subscribe first, then trigger the task.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const first = await fetch(`${demo.url}/api/sensors/${sensor}/stats`);
      expect(first.status).toBe(202);
      expect(await first.json()).toMatchObject({ status: 'pending', queued: true });
      // The computation is still pending (it keeps failing): asking again enqueues no second task.
      const again = await fetch(`${demo.url}/api/sensors/${sensor}/stats`);
      expect(again.status).toBe(202);
      expect(await again.json()).toMatchObject({ status: 'pending', queued: false });
      const event = await logged;
      expect(event.level).toBe('error');
      expect(event.content).toContain(`stats of ${sensor} failed`);
    } finally {
      abort.abort();
    }
  });

  it('a reading that fails validation in the dataset handler is dead-lettered, not dropped', async () => {
    demo = await bootDemo({}, false);
    const channel = demo.app.get(ChannelService);
    const sensor = uniqueName('sensor');
    const dead: DatasetMessage[] = [];
    const dlq = await channel.subscribe('sensor-readings.dlq', {
      offset: Offset.BEGIN,
      batch: 1,
      maxWaitMs: 100,
      callback: (message) => {
        if (message.key === sensor) dead.push(message);
      },
    });
    try {
      await channel.produce('sensor-readings', { sensor, value: 'hot' }, { key: sensor });
      await waitFor(() => dead.length === 1, { timeoutMs: 15_000, message: 'the dead-lettered reading' });
      expect(dead[0].json()).toEqual({ sensor, value: 'hot' });
      expect((await (await fetch(`${demo.url}/api/sensors`)).json()) as unknown[]).not.toContainEqual(
        expect.objectContaining({ sensor }),
      );
    } finally {
      await dlq.close();
    }
  });
});
