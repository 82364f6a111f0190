import { headers } from './nats-client';
import { NatsWireHeaders, readHeaders, toNatsHeaders } from './nats-wire';

describe('nats wire format', () => {
  it('writes headers, the key, the reply inbox and the correlation id as NATS headers', () => {
    const h = toNatsHeaders(
      {
        key: 'k1',
        headers: { 'content-type': 'application/json', 'x-custom': 'v' },
        data: Buffer.from('{}'),
      },
      { replyTo: '_INBOX.abc', correlationId: 'c-1' },
    );
    expect(h.get('content-type')).toBe('application/json');
    expect(h.get('x-custom')).toBe('v');
    expect(h.get(NatsWireHeaders.KEY)).toBe('k1');
    expect(h.get(NatsWireHeaders.REPLY_TO)).toBe('_INBOX.abc');
    expect(h.get(NatsWireHeaders.CORRELATION_ID)).toBe('c-1');
  });

  it('reads header names case-insensitively and hides the transport headers from handlers', () => {
    const h = headers();
    h.set('Content-Type', 'application/json');
    h.set('X-Databus-Key', 'k');
    h.set('Nats-Msg-Id', 'id-1');
    h.set('x-trace', 't');
    const { all, visible } = readHeaders(h);
    expect(all['x-databus-key']).toBe('k');
    expect(visible).toEqual({ 'content-type': 'application/json', 'x-trace': 't' });
  });

  it('reads no headers as empty', () => {
    expect(readHeaders(undefined)).toEqual({ all: {}, visible: {} });
  });
});
