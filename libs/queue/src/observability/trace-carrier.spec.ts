import { traceCarrier } from './trace-carrier';

describe('traceCarrier', () => {
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('keeps the W3C headers as strings, read from strings or byte arrays', () => {
    expect(
      traceCarrier({ traceparent, tracestate: Buffer.from('vendor=1'), tenant: 't1', baggage: 42 }),
    ).toEqual({ traceparent, tracestate: 'vendor=1' });
  });

  it('is undefined when a message carries no trace context', () => {
    expect(traceCarrier(undefined)).toBeUndefined();
    expect(traceCarrier({ tenant: 't1' })).toBeUndefined();
  });
});
