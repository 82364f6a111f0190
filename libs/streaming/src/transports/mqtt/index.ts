import { UnsupportedFeatureError } from '@databus/common';
import { StreamingTransport, TransportContext } from '../../transport/transport.interface';

/** Placeholder until the mqtt transport lands: selecting it fails at bootstrap with a clear error. */
export const mqttTransportFactory = (_context: TransportContext): StreamingTransport => {
  throw new UnsupportedFeatureError(
    'mqtt',
    'streaming in this version',
    'the mqtt transport is not implemented yet',
  );
};
