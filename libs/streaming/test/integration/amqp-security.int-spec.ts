import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, connect as netConnect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, Server, TLSSocket } from 'node:tls';
import {
  AuthenticationError,
  BrokerCredentials,
  ConfigurationError,
  CredentialsProvider,
  CredentialsRefreshInfo,
  loadTlsMaterial,
} from '@databus/common';
import { createTestPki, describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { Offset } from '@databus/streaming';
import { TransportStatus } from '../../src/transport/transport-status';
import { AmqpTransport } from '../../src/transports/amqp/amqp.transport';
import { startApp } from '../conformance/harness';
import { amqpContext, amqpUrl, deleteAmqpDatasets } from './amqp-test-kit';

/** A CA, a server certificate for 127.0.0.1, a client certificate (PEM and PKCS#12) and an unrelated CA. */
function makePki(
  dir: string,
): Record<
  'ca' | 'otherCa' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'pfx' | 'pfxPassphrase',
  string
> {
  const pki = createTestPki({ dir, clientName: 'client' });
  return {
    ca: pki.caCert,
    otherCa: pki.otherCaCert,
    serverCert: pki.serverCert,
    serverKey: pki.serverKey,
    clientCert: pki.clientCert,
    clientKey: pki.clientKey,
    pfx: pki.clientPfx,
    pfxPassphrase: pki.pfxPassphrase,
  };
}

/**
 * A TLS terminator in front of the loopback RabbitMQ that requires a client certificate from the test CA:
 * the same handshake a broker configured for mTLS does (`ssl_options.verify = verify_peer`,
 * `fail_if_no_peer_cert = true`), without reconfiguring the shared broker.
 */
async function startTlsProxy(
  pki: ReturnType<typeof makePki>,
): Promise<{ port: number; clients: string[]; server: Server; sockets: Set<Socket> }> {
  const { readFileSync } = await import('node:fs');
  const clients: string[] = [];
  const sockets = new Set<Socket>();
  const upstream = new URL(amqpUrl());
  const server = createServer(
    {
      cert: readFileSync(pki.serverCert),
      key: readFileSync(pki.serverKey),
      ca: readFileSync(pki.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket: TLSSocket) => {
      clients.push(String(socket.getPeerCertificate().subject?.CN));
      const broker = netConnect(Number(upstream.port || 5672), upstream.hostname);
      for (const s of [socket, broker]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      socket.pipe(broker).pipe(socket);
      socket.on('close', () => broker.destroy());
      broker.on('close', () => socket.destroy());
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, clients, server, sockets };
}

describeWithBroker('amqp', 'amqp transport security: TLS, mTLS and credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'databus-amqp-tls-'));
  const pki = makePki(dir);
  const datasets: string[] = [];
  let proxy: Awaited<ReturnType<typeof startTlsProxy>>;
  const amqpsUrl = (): string => `amqps://guest:guest@127.0.0.1:${proxy.port}`;

  beforeAll(async () => {
    proxy = await startTlsProxy(pki);
  });
  afterAll(async () => {
    for (const socket of proxy.sockets) socket.destroy();
    await new Promise((resolve) => proxy.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
    await deleteAmqpDatasets(datasets);
  });

  it('streams over amqps:// with a private CA and a client certificate (PEM)', async () => {
    const dataset = uniqueName('amqp-tls');
    datasets.push(dataset);
    const app = await startApp({ name: 'amqp', url: amqpsUrl }, amqpsUrl(), {
      options: { tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } },
    });
    try {
      const sub = await app.channel.subscribe(dataset, { offset: Offset.BEGIN, batch: 1 });
      await app.channel.produce(dataset, { secure: true });
      const iterator = sub[Symbol.asyncIterator]();
      expect((await iterator.next()).value.json()).toEqual({ secure: true });
      await sub.close();
      expect(proxy.clients).toContain('client');
    } finally {
      await app.close();
    }
  });

  it('accepts the client certificate as a PKCS#12 bundle', async () => {
    const context = amqpContext({
      rawUrl: amqpsUrl(),
      tls: loadTlsMaterial({ ca: pki.ca, pfx: pki.pfx, passphrase: pki.pfxPassphrase }),
    });
    const transport = new AmqpTransport(context);
    await transport.connect();
    expect(transport.status.type).toBe('connected');
    await transport.close();
  });

  it('refuses a broker certificate its CA does not verify, naming tls.ca', async () => {
    const transport = new AmqpTransport(
      amqpContext({
        rawUrl: amqpsUrl(),
        tls: loadTlsMaterial({ ca: pki.otherCa, cert: pki.clientCert, key: pki.clientKey }),
      }),
    );
    const error = await transport.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('tls.ca');
    await transport.close();
  });

  it('fails without a client certificate when the broker requires one', async () => {
    const transport = new AmqpTransport(
      amqpContext({
        rawUrl: amqpsUrl(),
        tls: loadTlsMaterial({ ca: pki.ca }),
        transportOptions: { socketTimeoutMs: 3000 },
      }),
    );
    const error = await transport.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/client certificate/);
    await transport.close();
  });

  it('maps refused credentials to AuthenticationError without the password in the message', async () => {
    const url = amqpUrl().replace(/\/\/[^@]*@/, '//guest:wrong-s3cret@');
    const transport = new AmqpTransport(amqpContext({ rawUrl: url }));
    const error = await transport.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(String((error as Error).message)).not.toContain('wrong-s3cret');
    await transport.close();
  });

  it('takes credentials from a CredentialsProvider: update-secret on refresh, reconnect on a new principal', async () => {
    const listeners = new Set<(c: BrokerCredentials, i: CredentialsRefreshInfo) => void>();
    let gets = 0;
    const credentials: BrokerCredentials = { username: 'guest', password: 'guest' };
    const provider: CredentialsProvider = {
      get: async () => {
        gets++;
        return credentials;
      },
      current: () => credentials,
      onRefresh: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const debug: string[] = [];
    const url = amqpUrl().replace(/\/\/[^@]*@/, '//');
    const transport = new AmqpTransport(
      amqpContext({
        rawUrl: url,
        credentials: provider,
        logger: {
          log: () => undefined,
          warn: () => undefined,
          error: () => undefined,
          debug: (m) => debug.push(m),
        },
      }),
    );
    const statuses: TransportStatus['type'][] = [];
    transport.onStatus((s) => statuses.push(s.type));
    await transport.connect();
    expect(gets).toBe(1);
    for (const listener of listeners) listener(credentials, { principalChanged: false });
    await waitFor(() => debug.some((m) => m.includes('update-secret')), { message: 'update-secret' });
    expect(statuses).not.toContain('reconnecting');

    for (const listener of listeners) listener(credentials, { principalChanged: true });
    await waitFor(() => statuses.includes('reconnecting') && statuses[statuses.length - 1] === 'connected', {
      message: 'a reconnect with the new principal',
    });
    expect(gets).toBe(2);
    await transport.close();
    expect(listeners.size).toBe(0);
  });
});
