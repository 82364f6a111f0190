import { ConfigurationError } from '@databus/common';
import { TransportFactory, TransportName } from '../transport/transport.interface';

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
  memory: async () => (await import('./memory')).memoryTransportFactory,
  kafka: async () => (await import('./kafka')).kafkaTransportFactory,
  amqp: async () => (await import('./amqp')).amqpTransportFactory,
  mqtt: async () => (await import('./mqtt')).mqttTransportFactory,
  nats: async () => (await import('./nats')).natsTransportFactory,
  rest: async () => (await import('./rest')).restTransportFactory,
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

/** The npm packages (optional peers of this lib) each transport's client needs. */
export const CLIENT_PACKAGES: Readonly<Record<TransportName, readonly string[]>> = Object.freeze({
  memory: [],
  kafka: ['kafkajs'],
  amqp: ['amqplib'],
  mqtt: ['mqtt'],
  nats: ['@nats-io/transport-node', '@nats-io/jetstream'],
  rest: [],
});

/** The client packages of `name` that are not installed (`resolve` finds a package, or throws MODULE_NOT_FOUND). */
export function missingClientPackages(
  name: TransportName,
  resolve: (id: string) => unknown = (id) => require.resolve(id),
): string[] {
  return CLIENT_PACKAGES[name].filter((id) => {
    try {
      resolve(id);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND';
    }
  });
}

/**
 * Loads the factory of a transport. A missing client library fails with every package still to install at
 * once (NATS needs two), as one `npm install` line.
 */
export async function loadTransportFactory(
  name: TransportName,
  resolve?: (id: string) => unknown,
): Promise<TransportFactory> {
  try {
    return await LOADERS[name]();
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code !== 'MODULE_NOT_FOUND') throw error;
    const missing = missingClientPackages(name, resolve);
    const first = (error as Error).message.split('\n')[0];
    throw new ConfigurationError(
      'url',
      missing.length
        ? `the client library of the ${name} transport to be installed: npm install ${missing.join(' ')}`
        : `the client library of the ${name} transport to be installed (${first})`,
      { cause: error },
    );
  }
}
