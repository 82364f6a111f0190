import { connect as netConnect, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:tls';
import { AddressInfo } from 'node:net';
import type { TestCerts } from './test-certs';

/** A TLS-terminating proxy on loopback that requires a client certificate signed by the test CA. */
export interface TlsProxy {
  port: number;
  close(): Promise<void>;
}

/** Starts the proxy in front of RabbitMQ's plain AMQP port. */
export async function startTlsProxy(certs: TestCerts, upstreamPort = 5672): Promise<TlsProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer(
    {
      key: readFileSync(certs.serverKey),
      cert: readFileSync(certs.serverCert),
      ca: readFileSync(certs.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (client) => {
      const upstream = netConnect(upstreamPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
