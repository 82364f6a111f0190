import type { IPublishPacket } from 'mqtt';
import {
  decodeCorrelation,
  encodeCorrelation,
  fromPacket,
  MQTT_KEY_PROPERTY,
  toPublishOptions,
} from './mqtt-codec';

describe('mqtt codec', () => {
  it('maps content type, headers and key to MQTT 5 properties, and the reply address natively', () => {
    const options = toPublishOptions(
      { key: 'k', headers: { 'content-type': 'application/json', 'x-a': '1' }, data: Buffer.from('{}') },
      { responseTopic: 'inbox/1', correlationData: Buffer.from('c1') },
    );
    expect(options).toEqual({
      qos: 1,
      properties: {
        contentType: 'application/json',
        userProperties: { 'x-a': '1', [MQTT_KEY_PROPERTY]: 'k' },
        responseTopic: 'inbox/1',
        correlationData: Buffer.from('c1'),
      },
    });
    expect(toPublishOptions({ headers: {}, data: Buffer.alloc(0) })).toEqual({ qos: 1, properties: {} });
  });

  it('reads a packet back into a record', () => {
    const packet = {
      cmd: 'publish',
      topic: 'ds',
      payload: Buffer.from('x'),
      qos: 1,
      dup: true,
      retain: false,
      messageId: 7,
      properties: {
        contentType: 'text/plain',
        userProperties: { [MQTT_KEY_PROPERTY]: 'k', multi: ['a', 'b'] },
        responseTopic: 'r',
        correlationData: Buffer.from('id'),
      },
    } as unknown as IPublishPacket;
    expect(fromPacket(packet, 'ds', 3, 'tok')).toMatchObject({
      dataset: 'ds',
      key: 'k',
      headers: { 'content-type': 'text/plain', multi: 'a,b' },
      sequence: 3,
      redelivered: true,
      replyTo: 'r',
      correlationId: 'id',
      token: 'tok',
    });
  });

  it('round-trips binary correlation data', () => {
    const binary = Buffer.from([0xff, 0x00, 0xfe]);
    expect(encodeCorrelation(binary)).toMatch(/^base64:/);
    expect(decodeCorrelation(encodeCorrelation(binary))).toEqual(binary);
    expect(decodeCorrelation(encodeCorrelation(Buffer.from('base64:looks-like-a-marker')))).toEqual(
      Buffer.from('base64:looks-like-a-marker'),
    );
    expect(encodeCorrelation(Buffer.from('plain'))).toBe('plain');
  });
});
