import { ConfigurationError, parseBrokerUrl, resolveBackoff } from '@databus/common';
import { SubscriptionClosedError } from '../../errors';
import { TransportContext } from '../../transport/transport.interface';
import { defineCapabilities } from '../../transport/transport-capabilities';
import { NatsTransport, natsTransportFactory } from './nats.transport';

const context = (transportOptions: Record<string, unknown> = {}): TransportContext => ({
  url: parseBrokerUrl('nats://127.0.0.1:4222'),
  secure: false,
  clientId: 'unit',
  transportOptions,
  reconnect: resolveBackoff({}, 'reconnect'),
  produceTimeoutMs: 1000,
  logger: { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() },
});

describe('NatsTransport (no broker)', () => {
  it('declares its capabilities honestly', () => {
    const transport = natsTransportFactory(context());
    expect(transport).toBeInstanceOf(NatsTransport);
    expect(transport.name).toBe('nats');
    expect(transport.capabilities).toEqual(
      defineCapabilities({ channelSettings: { sessionTimeoutMs: true }, datasetPatterns: 'listed' }),
    );
  });

  it('validates transportOptions when it is built', () => {
    expect(() => natsTransportFactory(context({ streamPrefix: 'a.b' }))).toThrow(ConfigurationError);
  });

  it('closes idempotently without a connection, then refuses work', async () => {
    const transport = natsTransportFactory(context());
    const statuses: string[] = [];
    transport.onStatus((s) => statuses.push(s.type));
    await Promise.all([transport.close(), transport.close()]);
    expect(statuses).toEqual(['closed']);
    expect(transport.status.type).toBe('closed');
    await expect(transport.produce('x', [])).rejects.toBeInstanceOf(SubscriptionClosedError);
    await expect(transport.request('x', { headers: {}, data: Buffer.from('1') }, 100)).rejects.toBeInstanceOf(
      SubscriptionClosedError,
    );
  });
});
