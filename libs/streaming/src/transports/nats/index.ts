import { UnsupportedFeatureError } from '@databus/common';
import { StreamingTransport, TransportContext } from '../../transport/transport.interface';

/** Placeholder until the nats transport lands: selecting it fails at bootstrap with a clear error. */
export const natsTransportFactory = (_context: TransportContext): StreamingTransport => {
  throw new UnsupportedFeatureError(
    'nats',
    'streaming in this version',
    'the nats transport is not implemented yet',
  );
};
