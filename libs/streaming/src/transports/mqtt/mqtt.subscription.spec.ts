import type { MqttClient } from 'mqtt';
import { sendPubacks } from './mqtt.subscription';

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
