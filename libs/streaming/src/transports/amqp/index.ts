import { UnsupportedFeatureError } from '@databus/common';
import { StreamingTransport, TransportContext } from '../../transport/transport.interface';

/** Placeholder until the amqp transport lands: selecting it fails at bootstrap with a clear error. */
export const amqpTransportFactory = (_context: TransportContext): StreamingTransport => {
  throw new UnsupportedFeatureError(
    'amqp',
    'streaming in this version',
    'the amqp transport is not implemented yet',
  );
};
