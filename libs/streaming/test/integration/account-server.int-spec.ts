import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { Test } from '@nestjs/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { ConfigurationError } from '@databus/common';
import { describeWithBroker, waitFor } from '@databus/testing';
import {
  ChannelService,
  DatasetMessage,
  durableNameForCn,
  Offset,
  StreamingModule,
  Subscription,
} from '@databus/streaming';
import { FakeAccountServer } from '../fakes/fake-account-server';
import { generateTestPki, natsServer, natsUrl, TestPki } from './nats-test-kit';

const CN = 'databus-client';

describeWithBroker('nats', 'bootstrap from an account server (fake) onto the real NATS', () => {
  jest.setTimeout(30_000);
  let pki: TestPki;
  let fake: FakeAccountServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const streams: string[] = [];

  beforeAll(async () => {
    pki = await generateTestPki();
    fake = await FakeAccountServer.start({
      cert: await readFile(pki.serverCert),
      key: await readFile(pki.serverKey),
      ca: await readFile(pki.ca),
      natsUrl: natsUrl(),
    });
    nc = await connect({ servers: natsServer() });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    for (const name of streams) await jsm.streams.delete(name).catch(() => undefined);
    await nc?.close();
    await fake?.close();
    await rm(pki.dir, { recursive: true, force: true });
  });

  /** A dataset (mixed case) whose lower-cased subject an operator's stream holds, with `count` messages. */
  async function dataset(count: number): Promise<{ name: string; stream: string }> {
    const id = randomUUID().slice(0, 8);
    const name = `Acct-Readings-${id}`;
    const stream = `DBT_ACCT_${id}`;
    await jsm.streams.add({ name: stream, subjects: [name.toLowerCase()] });
    streams.push(stream);
    const js = jsm.jetstream();
    for (let i = 0; i < count; i++) await js.publish(name.toLowerCase(), JSON.stringify({ i }));
    return { name, stream };
  }

  async function app() {
    const module = await Test.createTestingModule({
      imports: [
        StreamingModule.forRoot({
          accountServer: fake.url,
          tls: { cert: pki.clientCert, key: pki.clientKey, ca: pki.ca },
          logger: false,
          consumerDefaults: { maxWaitMs: 300 },
        }),
      ],
    }).compile();
    await module.init();
    return { channel: module.get(ChannelService), close: () => module.close() };
  }

  async function take(sub: Subscription, count: number): Promise<number[]> {
    const out: DatasetMessage[] = [];
    for await (const message of sub) {
      out.push(message);
      if (out.length >= count) {
        await message.ack();
        break;
      }
    }
    return out.map((m) => m.json<{ i: number }>().i);
  }

  it('gets the gateway JWT with the client certificate and a user JWT per dataset, consumes from BEGIN and seeks', async () => {
    const ds = await dataset(6);
    const { channel, close } = await app();
    try {
      const sub = await channel.subscribe(ds.name, { offset: Offset.BEGIN, batch: 2 });
      const first: DatasetMessage[] = [];
      for await (const message of sub) {
        first.push(message);
        if (first.length === 4) break;
      }
      expect(first.map((m) => m.json())).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
      expect(first[0].dataset).toBe(ds.name);
      expect(fake.gatewayCalls[0]).toEqual({ cn: CN });
      const mas = fake.masCalls.filter((c) => c.dataset === ds.name);
      expect(mas).toHaveLength(1);
      expect(mas[0].bearer?.split('.')).toHaveLength(3);
      // One durable per certificate CN, the dataset client's name for it.
      const durable = await jsm.consumers.info(ds.stream, durableNameForCn(CN));
      expect(durable.config.durable_name).toBe(durableNameForCn(CN));
      await sub.seek(Offset.sequence(2));
      expect(await take(sub, 2)).toEqual([1, 2]);
      await sub.close();
    } finally {
      await close();
    }
  });

  it('resumes where the per-CN durable left off after an application restart, whatever offset says', async () => {
    const ds = await dataset(8);
    const first = await app();
    try {
      const sub = await first.channel.subscribe(ds.name, { offset: Offset.BEGIN, batch: 1 });
      expect(await take(sub, 3)).toEqual([0, 1, 2]);
      await sub.close();
    } finally {
      await first.close();
    }
    const second = await app();
    try {
      const sub = await second.channel.subscribe(ds.name, { offset: Offset.LATEST, batch: 5 });
      // Nothing before the committed position again; a message prefetched by the first app may come last.
      expect((await take(sub, 5)).sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7]);
      await sub.close();
    } finally {
      await second.close();
    }
  });

  it('refreshes the gateway JWT before it expires', async () => {
    fake.gatewayJwtSeconds = 6;
    const before = fake.gatewayCalls.length;
    const { close } = await app();
    try {
      await waitFor(() => fake.gatewayCalls.length >= before + 2, {
        timeoutMs: 15_000,
        message: 'a second gateway JWT before the first expired',
      });
    } finally {
      fake.gatewayJwtSeconds = 3600;
      await close();
    }
  });

  it('gets a new gateway JWT once when the MAS refuses the current one, and goes on', async () => {
    const ds = await dataset(1);
    const { channel, close } = await app();
    try {
      const gatewayBefore = fake.gatewayCalls.length;
      fake.refuseNextMasCalls = 1;
      const sub = await channel.subscribe(ds.name, { offset: Offset.BEGIN, batch: 1 });
      expect(await take(sub, 1)).toEqual([0]);
      expect(fake.gatewayCalls.length).toBe(gatewayBefore + 1);
      expect(fake.masCalls.filter((c) => c.dataset === ds.name)).toHaveLength(2);
      await sub.close();
    } finally {
      fake.refuseNextMasCalls = 0;
      await close();
    }
  });

  it('fails at bootstrap, naming the option, without a client certificate', async () => {
    const build = () =>
      Test.createTestingModule({
        imports: [StreamingModule.forRoot({ accountServer: fake.url, tls: { ca: pki.ca }, logger: false })],
      })
        .compile()
        .then((m) => m.init());
    await expect(build()).rejects.toThrow(ConfigurationError);
    await expect(build()).rejects.toThrow(
      'Invalid option "StreamingModule.tls": expected the client certificate',
    );
  });
});
