import type { MqttClient } from 'mqtt';
import { sendPuback } from './mqtt.subscription';

/** mqtt-packet, the encoder the installed mqtt.js writes with. */
const mqttPacket = require(require.resolve('mqtt-packet', { paths: [require.resolve('mqtt')] })) as {
  generate(packet: object, options: { protocolVersion: number }): Buffer;
};

describe('sendPuback', () => {
  it('sends the 4-byte MQTT 5 PUBACK of a success (no reason code, no property length), as mqtt.js does', () => {
    const sent: object[] = [];
    const client = { _sendPacket: (packet: object) => sent.push(packet) } as unknown as MqttClient;
    sendPuback(client, 0x1234);
    expect(sent).toHaveLength(1);
    expect([...mqttPacket.generate(sent[0], { protocolVersion: 5 })]).toEqual([0x40, 0x02, 0x12, 0x34]);
  });
});
