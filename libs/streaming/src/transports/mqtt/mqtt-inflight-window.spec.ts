import { collectGarbage } from '@databus/testing';
import { TemporaryError } from '@databus/common';
import { InflightWindow } from './mqtt-inflight-window';

describe('InflightWindow', () => {
  it('grants slots up to the limit, then in arrival order', async () => {
    const window = new InflightWindow(2);
    const far = Date.now() + 10_000;
    await window.acquire(far);
    await window.acquire(far);
    const order: number[] = [];
    const third = window.acquire(far).then(() => order.push(3));
    const fourth = window.acquire(far).then(() => order.push(4));
    window.release();
    window.release();
    await Promise.all([third, fourth]);
    expect(order).toEqual([3, 4]);
    expect(window.inFlight).toBe(2);
  });

  it('fails a waiter with TemporaryError at its deadline', async () => {
    const window = new InflightWindow(1);
    await window.acquire(Date.now() + 1000);
    await expect(window.acquire(Date.now() + 20)).rejects.toBeInstanceOf(TemporaryError);
    window.release();
    await window.idle();
  });

  it('lowers and raises the limit (broker Receive Maximum)', async () => {
    const window = new InflightWindow(5);
    window.setLimit(1);
    await window.acquire(Date.now() + 1000);
    let second = false;
    const waiting = window.acquire(Date.now() + 1000).then(() => (second = true));
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false);
    window.setLimit(2);
    await waiting;
    expect(second).toBe(true);
  });

  it('lets go of a granted waiter and the message it waited with, while others still wait', async () => {
    const window = new InflightWindow(1);
    const far = Date.now() + 60_000;
    await window.acquire(far);
    const granted: number[] = [];
    // What the publisher's grant closes over: the message it publishes once a slot is free.
    const waitWith = (message: { id: number }): void =>
      window.wait(
        far,
        () => granted.push(message.id),
        () => undefined,
      );
    let message: { id: number } | undefined = { id: 1 };
    const released = new WeakRef(message);
    waitWith(message);
    waitWith({ id: 2 });
    message = undefined;
    window.release();
    expect(granted).toEqual([1]);
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target until the turn ends
    collectGarbage();
    // Neither the waiter list (the second still waits) nor the deadline queue (its next add or timer) keeps it.
    expect(released.deref()).toBeUndefined();
    window.release();
    expect(granted).toEqual([1, 2]);
  });
});
