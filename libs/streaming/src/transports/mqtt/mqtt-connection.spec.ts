import { connect, MqttClient } from 'mqtt';
import { quietUnlessDebugging } from './mqtt-connection';

describe('quietUnlessDebugging', () => {
  // A client that never connects (manualConnect: no socket, no timers), so it needs no end(): ending one that
  // never had a stream throws inside mqtt.js's clean-up.
  const client = (): MqttClient => connect('mqtt://127.0.0.1:1', { manualConnect: true });

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
