import { UnsupportedFeatureError } from '@databus/common';
import { StreamingTransport, TransportContext } from '../../transport/transport.interface';

/** Placeholder until the kafka transport lands: selecting it fails at bootstrap with a clear error. */
export const kafkaTransportFactory = (_context: TransportContext): StreamingTransport => {
  throw new UnsupportedFeatureError(
    'kafka',
    'streaming in this version',
    'the kafka transport is not implemented yet',
  );
};
