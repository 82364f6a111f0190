import { connect, type MqttClient } from 'mqtt';
import { UnsupportedFeatureError } from '@databus/common';
import { assertManualAckSupport, sendPubacks } from './mqtt.subscription';

/** mqtt-packet, the encoder the installed mqtt.js writes with. */
const mqttPacket = require(require.resolve('mqtt-packet', { paths: [require.resolve('mqtt')] })) as {
  generate(packet: object, options: { protocolVersion: number }): Buffer;
};

/** A client whose stream records what is written to it. */
function recordingClient(): { client: MqttClient; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const client = { stream: { write: (chunk: Buffer) => writes.push(Buffer.from(chunk)) } };
  return { client: client as unknown as MqttClient, writes };
}

describe('sendPubacks', () => {
  const ids = [0x1234, 1, 0xffff, 0x0100];

  it.each([5, 4])(
    'writes the PUBACKs mqtt.js would send for a success under MQTT version %i, in order, in one write',
    (protocolVersion) => {
      const { client, writes } = recordingClient();
      sendPubacks(client, ids);
      const expected = Buffer.concat(
        ids.map((messageId) =>
          mqttPacket.generate({ cmd: 'puback', messageId, reasonCode: 0 }, { protocolVersion }),
        ),
      );
      expect(writes).toHaveLength(1);
      expect([...writes[0]]).toEqual([...expected]);
    },
  );

  it('sends the 4-byte MQTT 5 PUBACK of a success (no reason code, no property length)', () => {
    const { client, writes } = recordingClient();
    sendPubacks(client, [0x1234]);
    expect([...writes[0]]).toEqual([0x40, 0x02, 0x12, 0x34]);
  });

  it('writes nothing when there is nothing to acknowledge', () => {
    const { client, writes } = recordingClient();
    sendPubacks(client, []);
    expect(writes).toHaveLength(0);
  });
});

describe('assertManualAckSupport', () => {
  const handleMessage = (): void => undefined;
  const stream = { write: (): boolean => true };

  it('accepts a client of the installed mqtt.js, as the connection hands it over before CONNECT', () => {
    // Nothing listens on port 1 on loopback: the client exists with its stream, and never connects.
    const client = connect('mqtt://127.0.0.1:1', { reconnectPeriod: 0, connectTimeout: 1000 });
    client.on('error', () => undefined);
    try {
      expect(() => assertManualAckSupport(client)).not.toThrow();
    } finally {
      client.end(true);
    }
  });

  it.each([
    ['handleMessage', { stream }, 'it has no MqttClient.handleMessage)'],
    ['stream', { handleMessage }, 'it has no MqttClient.stream.write)'],
    ['stream.write', { handleMessage, stream: {} }, 'it has no MqttClient.stream.write)'],
    ['both', {}, 'it has no MqttClient.handleMessage and no MqttClient.stream.write)'],
  ])('refuses a client without %s, naming what is missing', (_missing, client, message) => {
    const check = (): void => assertManualAckSupport(client as unknown as MqttClient);
    expect(check).toThrow(UnsupportedFeatureError);
    expect(check).toThrow(message);
  });
});
