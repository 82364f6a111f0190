import { PermanentError } from '@databus/common';
import type { MqttClient } from 'mqtt';
import type { MqttConnection } from './mqtt-connection';
import { MqttPublisher } from './mqtt-publisher';

type Callback = (error?: Error) => void;

/** A connected connection whose client answers each publish with the next scripted outcome. */
function setup(outcomes: Array<Error | undefined>) {
  const published: string[] = [];
  const client = {
    outgoing: {},
    removeOutgoingMessage: jest.fn(),
    publish: jest.fn((topic: string, _payload: Buffer, _options: unknown, callback: Callback) => {
      published.push(topic);
      const outcome = outcomes.shift();
      setImmediate(() => callback(outcome));
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
  return { publisher, published };
}

const later = () => Date.now() + 60_000;

describe('MqttPublisher', () => {
  it('publishes again when mqtt.js refuses while it reconnects on purpose', async () => {
    const { publisher, published } = setup([new Error('client disconnecting'), undefined]);
    await expect(
      publisher.publish('readings', Buffer.from('{}'), { qos: 1 }, later()),
    ).resolves.toBeUndefined();
    expect(published).toEqual(['readings', 'readings']);
    expect(publisher.window.inFlight).toBe(0);
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
    const { publisher } = setup([new Error('client disconnecting'), new Error('client disconnecting')]);
    await expect(
      publisher.publish('readings', Buffer.from('{}'), { qos: 1 }, Date.now() - 1),
    ).rejects.toThrow(/client disconnecting/);
  });
});
