import { collectGarbage } from '@databus/testing';
import { SettledFifo } from './settled-fifo';

const entry = (name: string) => ({ name, done: false });

describe('SettledFifo', () => {
  it('serves entries in arrival order, skipping those settled before their turn', () => {
    const fifo = new SettledFifo<ReturnType<typeof entry>>();
    const [a, b, c] = [entry('a'), entry('b'), entry('c')];
    [a, b, c].forEach((e) => fifo.push(e));
    b.done = true;
    expect(fifo.shift()).toBe(a);
    expect(fifo.peek()).toBe(c);
    expect(fifo.shift()).toBe(c);
    expect(fifo.shift()).toBeUndefined();
  });

  it('drains the entries not settled yet, in order, and is empty afterwards', () => {
    const fifo = new SettledFifo<ReturnType<typeof entry>>();
    const [a, b, c] = [entry('a'), entry('b'), entry('c')];
    [a, b, c].forEach((e) => fifo.push(e));
    a.done = true;
    expect(fifo.drain()).toEqual([b, c]);
    expect(fifo.peek()).toBeUndefined();
  });

  it('keeps no served or settled entry alive while later ones still wait', async () => {
    const fifo = new SettledFifo<ReturnType<typeof entry>>();
    let served: ReturnType<typeof entry> | undefined = entry('served');
    let settled: ReturnType<typeof entry> | undefined = entry('settled');
    const released = [new WeakRef(served), new WeakRef(settled)];
    fifo.push(served);
    fifo.push(settled);
    fifo.push(entry('waiting'));
    settled.done = true;
    expect(fifo.shift()).toBe(served);
    expect(fifo.peek()?.name).toBe('waiting');
    served = settled = undefined;
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target until the turn ends
    collectGarbage();
    expect(released.map((ref) => ref.deref())).toEqual([undefined, undefined]);
  });
});
