import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describeWithBroker, waitFor } from '@databus/testing';
import { ChannelService, DatasetMessage, Offset, StreamingModule } from '@databus/streaming';
import { FakeAccountServer } from '../fakes/fake-account-server';
import { NatsOperator } from '../fakes/nats-operator';
import { generateTestPki, PrivateNatsServer, startPrivateNatsServer, TestPki } from './nats-test-kit';

/**
 * The account-server bootstrap against a nats-server that enforces decentralised JWT authentication: the
 * MAS hands out bearer user JWTs, the transport presents them (jwt, empty signature), and after a server
 * restart it reconnects with a freshly fetched one.
 */
describeWithBroker('nats', 'account-server bootstrap on a NATS server with JWT authentication', () => {
  jest.setTimeout(60_000);
  let pki: TestPki;
  let dir: string;
  let server: PrivateNatsServer;
  let fake: FakeAccountServer;
  const operator = new NatsOperator();
  const issued: string[] = [];

  beforeAll(async () => {
    pki = await generateTestPki();
    dir = await mkdtemp(join(tmpdir(), 'databus-nats-jwt-'));
    await writeFile(join(dir, 'server.conf'), operator.serverConfig());
    server = await startPrivateNatsServer(['-c', join(dir, 'server.conf')]);
    fake = await FakeAccountServer.start({
      cert: await readFile(pki.serverCert),
      key: await readFile(pki.serverKey),
      ca: await readFile(pki.ca),
      natsUrl: server.url(),
      userJwt: (dataset) => {
        const jwt = operator.issueBearerUser(dataset);
        issued.push(jwt);
        return jwt;
      },
    });
  });

  afterAll(async () => {
    await fake?.close();
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
    await rm(pki.dir, { recursive: true, force: true });
  });

  /** Publishes `{ i }` for each i with an operator user of its own (a new connection each time). */
  async function publish(subject: string, values: number[], stream?: string): Promise<void> {
    const jwt = operator.issueBearerUser('publisher');
    const nc = await connect({ servers: server.url(), authenticator: () => ({ jwt, sig: '' }) });
    try {
      const jsm = await jetstreamManager(nc);
      if (stream) await jsm.streams.add({ name: stream, subjects: [subject] });
      for (const i of values) await jsm.jetstream().publish(subject, JSON.stringify({ i }));
    } finally {
      await nc.close();
    }
  }

  it('refuses a connection without a valid user JWT', async () => {
    await expect(
      connect({ servers: server.url(), authenticator: () => ({ jwt: 'not-a-jwt', sig: '' }) }),
    ).rejects.toThrow(/Authorization Violation/);
  });

  it('consumes with the MAS user JWT, and reconnects after a restart with a new one', async () => {
    const dataset = `Jwt-Readings-${randomUUID().slice(0, 8)}`;
    await publish(dataset.toLowerCase(), [0, 1], `DBT_JWT_${randomUUID().slice(0, 8)}`);
    const module = await Test.createTestingModule({
      imports: [
        StreamingModule.forRoot({
          accountServer: fake.url,
          tls: { cert: pki.clientCert, key: pki.clientKey, ca: pki.ca },
          logger: false,
          reconnect: { initialMs: 100, maxMs: 500 },
        }),
      ],
    }).compile();
    await module.init();
    const seen: DatasetMessage[] = [];
    try {
      const sub = await module.get(ChannelService).subscribe(dataset, {
        offset: Offset.BEGIN,
        batch: 1,
        callback: (message) => void seen.push(message),
      });
      await waitFor(() => seen.length >= 2, { message: 'the two messages before the restart' });
      const fetchedBefore = fake.masCalls.filter((c) => c.dataset === dataset).length;
      expect(fetchedBefore).toBe(1);

      await server.stop();
      await server.start();
      await publish(dataset.toLowerCase(), [2, 3]);
      await waitFor(() => seen.length >= 4, { timeoutMs: 30_000, message: 'the messages after the restart' });
      expect(seen.map((m) => m.json<{ i: number }>().i).sort()).toEqual([0, 1, 2, 3]);
      // The user JWT was fetched again for the reconnect, as the dataset client does on every connect.
      expect(fake.masCalls.filter((c) => c.dataset === dataset).length).toBeGreaterThan(fetchedBefore);
      await sub.close();
    } finally {
      await module.close();
    }
  });
});
