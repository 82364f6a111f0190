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
      { key: 'k', headers: { 'content-type': 'text/plain', 'x-a': '1' }, data: Buffer.from('hi') },
      { responseTopic: 'inbox/1', correlationData: Buffer.from('c1') },
    );
    expect(options).toEqual({
      qos: 1,
      properties: {
        contentType: 'text/plain',
        userProperties: { 'x-a': '1', [MQTT_KEY_PROPERTY]: 'k' },
        responseTopic: 'inbox/1',
        correlationData: Buffer.from('c1'),
      },
    });
  });

  it('sends no Content Type for application/json, the type a message without one is read as', () => {
    const json = { 'content-type': 'application/json' };
    expect(toPublishOptions({ key: 'k', headers: json, data: Buffer.from('{}') })).toEqual({
      qos: 1,
      properties: { userProperties: { [MQTT_KEY_PROPERTY]: 'k' } },
    });
    expect(fromPacket({ ...packetOf('{}'), properties: {} }, 'ds', 1).headers).toEqual({});
    for (const contentType of ['text/plain; charset=utf-8', 'application/octet-stream', 'application/cbor'])
      expect(
        toPublishOptions({ headers: { 'content-type': contentType }, data: Buffer.alloc(0) }).properties,
      ).toEqual({ contentType });
  });

  it('gives a record with nothing but a JSON body one shared, frozen options object (QoS 1, no properties)', () => {
    const plain = toPublishOptions({
      headers: { 'content-type': 'application/json' },
      data: Buffer.from('{}'),
    });
    expect(plain).toEqual({ qos: 1 });
    expect(Object.isFrozen(plain)).toBe(true);
    expect(toPublishOptions({ headers: {}, data: Buffer.alloc(0) })).toBe(plain);
    expect(toPublishOptions({ headers: {}, data: Buffer.alloc(0) }, undefined, Buffer.from('c2'))).toEqual({
      qos: 1,
      properties: { correlationData: Buffer.from('c2') },
    });
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

  it('reads a packet without properties (the JSON default) into a record with no headers, key or reply', () => {
    const record = fromPacket(packetOf('{}'), 'ds', 1);
    expect(record).toMatchObject({ dataset: 'ds', headers: {}, sequence: 1, redelivered: false });
    expect(record.key).toBeUndefined();
    expect(record.replyTo).toBeUndefined();
    expect(record.correlationId).toBeUndefined();
    expect(record.data.toString()).toBe('{}');
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

/** A QoS 1 PUBLISH packet carrying `body`. */
function packetOf(body: string): IPublishPacket {
  return {
    cmd: 'publish',
    topic: 'ds',
    payload: Buffer.from(body),
    qos: 1,
    dup: false,
    retain: false,
    messageId: 1,
  };
}
