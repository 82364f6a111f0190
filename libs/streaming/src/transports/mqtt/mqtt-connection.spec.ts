import { parseBrokerUrl, resolveBackoff } from '@databus/common';
import { connect, IClientOptions, MqttClient } from 'mqtt';
import { TransportContext } from '../../transport/transport.interface';
import { MqttConnection, quietUnlessDebugging } from './mqtt-connection';
import { resolveMqttOptions } from './mqtt.options';

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

describe('MqttConnection client options', () => {
  const context: TransportContext = {
    url: parseBrokerUrl('mqtt://127.0.0.1:1'),
    secure: false,
    clientId: 'c',
    transportOptions: {},
    reconnect: resolveBackoff({ initialMs: 10, maxMs: 100, jitter: 0 }, 'reconnect'),
    produceTimeoutMs: 1000,
    logger: { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() },
  };

  it("turns off mqtt-packet's number cache (65,536 Buffers, ~12 MB of RSS per process)", () => {
    const connection = new MqttConnection(context, resolveMqttOptions({}), {
      clientId: 'c',
      clean: true,
      sessionExpirySeconds: 0,
      label: 'producer',
    });
    const options = (
      connection as unknown as { clientOptions(credentials: undefined): IClientOptions }
    ).clientOptions(undefined);
    expect(options.writeCache).toBe(false);
    // What the option does in the installed mqtt.js: the switch of the mqtt-packet it writes with.
    connect('mqtt://127.0.0.1:1', { manualConnect: true, writeCache: false });
    const packet = require(require.resolve('mqtt-packet', { paths: [require.resolve('mqtt')] })) as {
      writeToStream: { cacheNumbers: boolean };
    };
    expect(packet.writeToStream.cacheNumbers).toBe(false);
  });
});
