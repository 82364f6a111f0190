import { MemoryBackend } from './memory.backend';
import { MemoryBroker } from './memory-broker';
import type { Delivery } from '../queue-backend.interface';

const message = (n: number, priority?: number) => ({
  body: Buffer.from(String(n)),
  properties: { priority },
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MemoryBroker and MemoryBackend', () => {
  let broker: MemoryBroker;
  let backend: MemoryBackend;
  beforeEach(async () => {
    broker = new MemoryBroker();
    backend = new MemoryBackend({ broker, publishTimeoutMs: 50 });
    await backend.connect();
  });
  afterEach(async () => {
    await backend.close();
    broker.close();
  });

  it('never pushes more unacked messages than the prefetch', async () => {
    const got: Delivery[] = [];
    await backend.consume({ queue: { name: 'q' }, prefetch: 2 }, (d) => got.push(d));
    for (let n = 0; n < 5; n++) await backend.send('q', message(n), { name: 'q' });
    await tick();
    expect(got).toHaveLength(2);
    backend.ack(got[0]);
    await tick();
    expect(got.map((d) => d.body.toString())).toEqual(['0', '1', '2']);
  });

  it('delivers higher priorities first on a priority queue', async () => {
    for (const [n, p] of [
      [1, 0],
      [2, 3],
      [3, 1],
    ])
      await backend.send('p', message(n, p), { name: 'p', maxPriority: 3 });
    expect([broker.get('p'), broker.get('p'), broker.get('p')].map((m) => m?.body.toString())).toEqual([
      '2',
      '3',
      '1',
    ]);
  });

  it('requeues unacked messages as redelivered on restart and re-attaches active consumers only', async () => {
    const got: Delivery[] = [];
    await backend.consume({ queue: { name: 'r' }, prefetch: 5 }, (d) => got.push(d));
    const cancelled = await backend.consume({ queue: { name: 'c' }, prefetch: 5 }, () => undefined);
    await cancelled.cancel();
    await backend.send('r', message(1), { name: 'r' });
    await tick();
    await broker.restart(5);
    await tick();
    expect(got.map((d) => [d.body.toString(), d.redelivered])).toEqual([
      ['1', false],
      ['1', true],
    ]);
    expect(backend.isSettleable(got[0])).toBe(false);
    expect(broker.consumerCount('r')).toBe(1);
    expect(broker.consumerCount('c')).toBe(0);
  });

  it('fails a publish with TemporaryError when the broker stays down longer than publishTimeoutMs', async () => {
    const restart = broker.restart(200);
    await expect(backend.send('q', message(1))).rejects.toThrow(/No connection/);
    await restart;
  });

  it('gives every exclusive subscriber of a fanout exchange its own copy', async () => {
    const a: string[] = [];
    const b: string[] = [];
    await backend.consume(
      { bindExchange: 'x', prefetch: 5 },
      (d) => (a.push(d.body.toString()), backend.ack(d)),
    );
    await backend.consume(
      { bindExchange: 'x', prefetch: 5 },
      (d) => (b.push(d.body.toString()), backend.ack(d)),
    );
    await backend.publish('x', message(7));
    await tick();
    expect([a, b]).toEqual([['7'], ['7']]);
  });
});
