import { ConfigurationError } from '@databus/common';
import { CLIENT_PACKAGES, loadTransportFactory, missingClientPackages } from './registry';

// As when the NATS client is not installed: loading the transport fails on its first import.
jest.mock('../transports/nats', () => {
  const error = new Error(
    "Cannot find module '@nats-io/transport-node'\nRequire stack: …",
  ) as NodeJS.ErrnoException;
  error.code = 'MODULE_NOT_FOUND';
  throw error;
});

const notFound = (id: string): never => {
  const error = new Error(`Cannot find module '${id}'`) as NodeJS.ErrnoException;
  error.code = 'MODULE_NOT_FOUND';
  throw error;
};

describe('transport client packages', () => {
  it('NATS needs two packages, the other broker transports one each', () => {
    expect(CLIENT_PACKAGES).toMatchObject({
      nats: ['@nats-io/transport-node', '@nats-io/jetstream'],
      kafka: ['kafkajs'],
      amqp: ['amqplib'],
      mqtt: ['mqtt'],
      memory: [],
    });
  });

  it('lists only the packages that are not installed', () => {
    expect(missingClientPackages('nats', notFound)).toEqual([
      '@nats-io/transport-node',
      '@nats-io/jetstream',
    ]);
    expect(
      missingClientPackages('nats', (id) => (id === '@nats-io/jetstream' ? notFound(id) : '/x/index.js')),
    ).toEqual(['@nats-io/jetstream']);
    expect(missingClientPackages('memory', notFound)).toEqual([]);
  });

  it('names every missing NATS package at once, as one npm install line', async () => {
    const load = loadTransportFactory('nats', notFound);
    await expect(load).rejects.toBeInstanceOf(ConfigurationError);
    await expect(load).rejects.toThrow(
      'Invalid option "url": expected the client library of the nats transport to be installed: ' +
        'npm install @nats-io/transport-node @nats-io/jetstream.',
    );
  });
});
