import { ConfigurationError, resolveBackoff, UnsupportedFeatureError } from '@databus/common';
import { Offset } from '../offset/offset';
import { TransportCapabilities } from '../transport/transport-capabilities';
import { StreamingTransport, TransportSubscription } from '../transport/transport.interface';
import { RecordSource } from './record-source';

const quiet = { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() };
const spec = { dataset: 'readings', group: 'g', start: Offset.LATEST, prefetch: 10, groupExpiryMs: 1000 };
const SEEKS = { seek: true, seekBySequence: true, seekByTime: true, ackMode: 'individual' } as const;

/** A transport whose subscription records what `seek` received. */
async function openSource(capabilities: Partial<TransportCapabilities> = SEEKS) {
  const seek = jest.fn(async () => undefined);
  const transport = {
    name: 'fake',
    capabilities,
    subscribe: async (): Promise<TransportSubscription> => ({
      fetch: async () => [],
      ack: async () => undefined,
      nack: async () => undefined,
      seek,
      close: async () => undefined,
    }),
  } as unknown as StreamingTransport;
  const source = new RecordSource(transport, spec, {
    retryOnFail: true,
    reconnect: resolveBackoff({ initialMs: 1, maxMs: 2 }, 'r'),
    logger: quiet,
  });
  await source.open();
  return { source, seek };
}

describe('RecordSource.seek: the value reaches the transport as an Offset, or is refused at once', () => {
  it('gives the transport a number as Offset.sequence(n) and a Date as Offset.time(date)', async () => {
    const { source, seek } = await openSource();
    const when = new Date('2026-12-01T10:00:00Z');
    await source.seek(5);
    await source.seek(when);
    await source.seek(Offset.BEGIN);
    expect(seek.mock.calls).toEqual([[Offset.sequence(5)], [Offset.time(when)], [Offset.BEGIN]]);
  });

  it.each([NaN, -1, 2.5, new Date('nope'), '5', { kind: 'sequence' }, undefined])(
    'refuses %p with a ConfigurationError naming seek and the dataset, without moving',
    async (value) => {
      const { source, seek } = await openSource();
      const refused = source.seek(value);
      await expect(refused).rejects.toBeInstanceOf(ConfigurationError);
      await expect(refused).rejects.toMatchObject({ option: "seek('readings'): offset" });
      expect(seek).not.toHaveBeenCalled();
    },
  );

  it('refuses a time position on a transport without positions by time (UnsupportedFeatureError)', async () => {
    const { source, seek } = await openSource({ ...SEEKS, seekByTime: false });
    const refused = source.seek(new Date());
    await expect(refused).rejects.toBeInstanceOf(UnsupportedFeatureError);
    await expect(refused).rejects.toMatchObject({ transport: 'fake', feature: 'positions by time' });
    await source.seek(3);
    expect(seek.mock.calls).toEqual([[Offset.sequence(3)]]);
  });

  it('refuses every seek on a transport that cannot seek (UnsupportedFeatureError naming seek)', async () => {
    const { source, seek } = await openSource({ ...SEEKS, seek: false });
    await expect(source.seek(1)).rejects.toMatchObject({ transport: 'fake', feature: 'seek' });
    await expect(source.seek(1)).rejects.toBeInstanceOf(UnsupportedFeatureError);
    expect(seek).not.toHaveBeenCalled();
  });

  it('checks the value before the capability: a bad value is a ConfigurationError everywhere', async () => {
    const { source } = await openSource({ ...SEEKS, seek: false });
    await expect(source.seek(NaN)).rejects.toBeInstanceOf(ConfigurationError);
  });
});
