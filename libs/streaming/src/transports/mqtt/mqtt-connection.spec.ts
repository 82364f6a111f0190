import { connect, MqttClient } from 'mqtt';
import { quietUnlessDebugging } from './mqtt-connection';

describe('quietUnlessDebugging', () => {
  const clients: MqttClient[] = [];
  const client = (): MqttClient => {
    const created = connect('mqtt://127.0.0.1:1', { manualConnect: true });
    clients.push(created);
    return created;
  };
  afterAll(() => clients.forEach((c) => c.end(true)));

  it("replaces mqtt.js's own debug log while DEBUG does not enable it (its `enabled` then reads undefined)", () => {
    const created = client();
    const original = created.log;
    expect((original as unknown as { enabled?: boolean }).enabled).toBeFalsy();
    quietUnlessDebugging(created);
    expect(created.log).not.toBe(original);
    expect(created.log('publish :: message %s', 'x')).toBeUndefined();
  });

  it('keeps a debug log that is enabled', () => {
    const created = client();
    const enabled = Object.assign((): void => undefined, { enabled: true });
    created.log = enabled;
    quietUnlessDebugging(created);
    expect(created.log).toBe(enabled);
  });

  it('keeps a log that is not a debug logger (no `enabled` property)', () => {
    const created = client();
    const custom = (): void => undefined;
    created.log = custom;
    quietUnlessDebugging(created);
    expect(created.log).toBe(custom);
  });
});
