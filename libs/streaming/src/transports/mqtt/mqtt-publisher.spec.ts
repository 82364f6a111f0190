import { collectGarbage } from '@databus/testing';
import { PermanentError, TemporaryError } from '@databus/common';
import type { MqttClient } from 'mqtt';
import type { MqttConnection } from './mqtt-connection';
import { MqttPublisher } from './mqtt-publisher';

type Callback = (error?: Error) => void;

/**
 * A connected connection whose client answers each publish with the next scripted outcome: on the next turn of
 * the event loop, or at once (`sync`) where the test must not race the publisher's own PUBACK timer.
 */
function setup(outcomes: Array<Error | undefined>, answer: 'async' | 'sync' = 'async', maxInflight = 10) {
  const published: string[] = [];
  const client = {
    outgoing: {},
    removeOutgoingMessage: jest.fn(),
    publish: jest.fn((topic: string, _payload: Buffer, _options: unknown, callback: Callback) => {
      published.push(topic);
      const outcome = outcomes.shift();
      if (answer === 'sync') callback(outcome);
      else setImmediate(() => callback(outcome));
    }),
  } as unknown as MqttClient;
  const connection = {
    client,
    hasClient: true,
    ready: true,
    where: 'mqtt://127.0.0.1:1883',
    whenConnected: async () => undefined,
  } as unknown as MqttConnection;
  const publisher = new MqttPublisher(connection, maxInflight, { initialMs: 1, maxMs: 2, jitter: 0 });
  return { publisher, published, client };
}

const later = () => Date.now() + 60_000;

describe('MqttPublisher', () => {
  it('publishes again when mqtt.js refuses while it reconnects on purpose', async () => {
    const { publisher, published } = setup([new Error('client disconnecting'), undefined]);
    await expect(publisher.publish('readings', Buffer.from('{}'), { qos: 1 }, later())).resolves.toEqual({});
    expect(published).toEqual(['readings', 'readings']);
    expect(publisher.window.inFlight).toBe(0);
  });

  it('lets go of an acknowledged message while its deadline entry still waits in the queue', async () => {
    const { publisher, client } = setup([undefined]);
    let payload: Buffer | undefined = Buffer.from('{"reading":1}');
    const released = new WeakRef(payload);
    // The deadline is a minute away: the deadline queue keeps the settled entry until then (or a compaction).
    await expect(publisher.publish('readings', payload, { qos: 1 }, later())).resolves.toEqual({});
    payload = undefined;
    jest.mocked(client.publish).mockClear(); // the mock's own record of its arguments
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target until the turn ends
    collectGarbage();
    expect(released.deref()).toBeUndefined();
  });

  it('fails any other publish error at once, mapped, and frees its window slot', async () => {
    const { publisher, published } = setup([Object.assign(new Error('Not authorized'), { code: 135 })]);
    const failure = publisher.publish('readings', Buffer.from('{}'), { qos: 1 }, later());
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toThrow(/publish to "readings" \(mqtt:\/\/127\.0\.0\.1:1883\)/);
    expect(published).toEqual(['readings']);
    expect(publisher.window.inFlight).toBe(0);
  });

  it('stops retrying at the deadline', async () => {
    // The deadline has passed: the PUBACK timer gets 1 ms, so the refusal is answered at once to be the
    // failure the publisher sees (on a loaded machine an answer on the next turn could lose to that timer).
    const { publisher, published } = setup(
      [new Error('client disconnecting'), new Error('client disconnecting')],
      'sync',
    );
    await expect(
      publisher.publish('readings', Buffer.from('{}'), { qos: 1 }, Date.now() - 1),
    ).rejects.toThrow(/client disconnecting/);
    expect(published).toEqual(['readings']);
    expect(publisher.window.inFlight).toBe(0);
  });

  it('writes publishes in call order while the window is full and slots free up one by one', async () => {
    const { publisher, published } = setup([], 'async', 2);
    const publish = (n: number) => publisher.publish(`t/${n}`, Buffer.from('{}'), { qos: 1 }, later());
    const first = [1, 2, 3, 4].map(publish);
    await first[0];
    // A slot has just freed while 3 and 4 still wait for one: later calls go behind them.
    const second = [5, 6].map(publish);
    await Promise.all([...first, ...second]);
    expect(published).toEqual(['t/1', 't/2', 't/3', 't/4', 't/5', 't/6']);
    expect(publisher.window.inFlight).toBe(0);
  });

  it('rejects with TemporaryError when no PUBACK comes in time, withdrawing the message from mqtt.js', async () => {
    const outgoing: Record<number, { cb: Callback }> = {};
    const client = {
      outgoing,
      // mqtt.js calls the callback of a removed message with an error: the caller has its outcome already.
      removeOutgoingMessage: jest.fn((id: number) => {
        const { cb } = outgoing[id];
        delete outgoing[id];
        cb(new Error('Message removed'));
      }),
      publish: jest.fn((_topic: string, _payload: unknown, _options: unknown, callback: Callback) => {
        outgoing[1] = { cb: callback }; // never acknowledged
      }),
    } as unknown as MqttClient;
    const connection = {
      client,
      hasClient: true,
      ready: true,
      where: 'mqtt://127.0.0.1:1883',
      whenConnected: async () => undefined,
    } as unknown as MqttConnection;
    const publisher = new MqttPublisher(connection, 10, { initialMs: 1, maxMs: 2, jitter: 0 });
    const failure = publisher.publish('readings', '{}', { qos: 1 }, Date.now() + 30);
    await expect(failure).rejects.toBeInstanceOf(TemporaryError);
    await expect(failure).rejects.toThrow(/No PUBACK for a publish to "readings" in time/);
    expect(client.removeOutgoingMessage).toHaveBeenCalledTimes(1);
    expect(outgoing).toEqual({});
    expect(client.publish).toHaveBeenCalledTimes(1);
    expect(publisher.window.inFlight).toBe(0);
  });

  it('settles a sent message through its own callbacks, once, from the PUBACK', async () => {
    const { publisher, published } = setup([undefined]);
    const resolve = jest.fn();
    const reject = jest.fn();
    publisher.send('readings', '{"a":1}', { qos: 1 }, later(), resolve, reject);
    expect(published).toEqual(['readings']);
    expect(publisher.window.inFlight).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(resolve).toHaveBeenCalledWith({});
    expect(reject).not.toHaveBeenCalled();
    expect(publisher.window.inFlight).toBe(0);
  });
});
