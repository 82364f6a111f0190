import { ConfigurationError } from '@databus/common';
import { TransportFactory, TransportName } from './transport.interface';

/** URL schemes and the transport each selects; `s` variants turn TLS on. */
export const SCHEMES: Readonly<Record<string, { transport: TransportName; secure: boolean }>> = Object.freeze(
  {
    memory: { transport: 'memory', secure: false },
    kafka: { transport: 'kafka', secure: false },
    'kafka+ssl': { transport: 'kafka', secure: true },
    amqp: { transport: 'amqp', secure: false },
    amqps: { transport: 'amqp', secure: true },
    mqtt: { transport: 'mqtt', secure: false },
    mqtts: { transport: 'mqtt', secure: true },
    nats: { transport: 'nats', secure: false },
    tls: { transport: 'nats', secure: true },
    'rest+http': { transport: 'rest', secure: false },
    'rest+https': { transport: 'rest', secure: true },
  },
);

/**
 * Lazy loaders, one per transport: a broker client library is loaded only by the transport that needs it.
 * This is the only place in the lib that names the implementations.
 */
const LOADERS: Record<TransportName, () => Promise<TransportFactory>> = {
  memory: async () => (await import('../transports/memory')).memoryTransportFactory,
  kafka: async () => (await import('../transports/kafka')).kafkaTransportFactory,
  amqp: async () => (await import('../transports/amqp')).amqpTransportFactory,
  mqtt: async () => (await import('../transports/mqtt')).mqttTransportFactory,
  nats: async () => (await import('../transports/nats')).natsTransportFactory,
  rest: async () => (await import('../transports/rest')).restTransportFactory,
};

/** Resolves a scheme to its transport, or fails naming the supported schemes. */
export function transportForScheme(
  scheme: string,
  option: string,
): { transport: TransportName; secure: boolean } {
  const entry = SCHEMES[scheme];
  if (!entry)
    throw new ConfigurationError(
      option,
      `a URL whose scheme is one of ${Object.keys(SCHEMES)
        .map((s) => `${s}://`)
        .join(', ')}`,
      { received: `${scheme}://…` },
    );
  return entry;
}

/** Loads the factory of a transport; a missing client library fails with the package to install. */
export async function loadTransportFactory(name: TransportName): Promise<TransportFactory> {
  try {
    return await LOADERS[name]();
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND' ? (error as Error).message : undefined;
    if (missing)
      throw new ConfigurationError(
        'url',
        `the client library of the ${name} transport to be installed (${missing.split('\n')[0]})`,
        { cause: error },
      );
    throw error;
  }
}
