import { rm } from 'node:fs/promises';
import { loadTlsMaterial, parseBrokerUrl, PermanentError } from '@databus/common';
import { describeWithBroker } from '@databus/testing';
import { ChannelService, Offset, StreamingModule } from '@databus/streaming';
import { Test } from '@nestjs/testing';
import { NatsTransport, natsTransportFactory } from '../../src/transports/nats';
import {
  generateTestPki,
  natsContext,
  PrivateNatsServer,
  startPrivateNatsServer,
  TestPki,
} from './nats-test-kit';

describeWithBroker('nats', 'nats over TLS with a private CA (tls://)', () => {
  jest.setTimeout(30_000);
  let pki: TestPki;
  let server: PrivateNatsServer | undefined;
  let transport: NatsTransport | undefined;
  beforeAll(async () => {
    pki = await generateTestPki();
  });
  afterAll(() => rm(pki.dir, { recursive: true, force: true }));
  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    await server?.dispose();
    server = undefined;
  });

  const tlsUrl = (s: PrivateNatsServer) => `tls://127.0.0.1:${s.port}`;

  it('verifies the server with the CA bundle from context.tls; without it, fails with PermanentError', async () => {
    server = await startPrivateNatsServer(['--tls', '--tlscert', pki.serverCert, '--tlskey', pki.serverKey]);
    transport = natsTransportFactory(
      natsContext({
        url: parseBrokerUrl(tlsUrl(server)),
        secure: true,
        tls: loadTlsMaterial({ ca: pki.ca }, 'tls'),
      }),
    );
    await transport.connect();
    const [stored] = await transport.produce('over-tls', [{ headers: {}, data: Buffer.from('{"ok":true}') }]);
    expect(stored.sequence).toBe(1);

    const unverified = natsTransportFactory(
      natsContext({ url: parseBrokerUrl(tlsUrl(server)), secure: true }),
    );
    const error = await unverified.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    await unverified.close();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain('TLS');
  });

  it('presents a client certificate to a server that requires one (mutual TLS), through StreamingModule', async () => {
    server = await startPrivateNatsServer([
      '--tlsverify',
      '--tlscert',
      pki.serverCert,
      '--tlskey',
      pki.serverKey,
      '--tlscacert',
      pki.ca,
    ]);
    const module = await Test.createTestingModule({
      imports: [
        StreamingModule.forRoot({
          url: tlsUrl(server),
          tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
          logger: false,
        }),
      ],
    }).compile();
    await module.init();
    try {
      const channel = module.get(ChannelService);
      const sub = await channel.subscribe('mtls', { offset: Offset.BEGIN, batch: 1 });
      await channel.produce('mtls', { secure: true });
      const first = await sub[Symbol.asyncIterator]().next();
      expect(first.value.json()).toEqual({ secure: true });
      await sub.close();
    } finally {
      await module.close();
    }

    const withoutCert = natsTransportFactory(
      natsContext({
        url: parseBrokerUrl(tlsUrl(server)),
        secure: true,
        tls: loadTlsMaterial({ ca: pki.ca }, 'tls'),
      }),
    );
    await expect(withoutCert.connect()).rejects.toBeDefined(); // the server closes the handshake
    await withoutCert.close();
  });

  it('nats:// with tls is TLS negotiated in-band on the one client port (the NATS convention); without tls the TLS server is refused', async () => {
    server = await startPrivateNatsServer(['--tls', '--tlscert', pki.serverCert, '--tlskey', pki.serverKey]);
    const plainUrl = `nats://127.0.0.1:${server.port}`;
    const module = await Test.createTestingModule({
      imports: [StreamingModule.forRoot({ url: plainUrl, tls: { ca: pki.ca }, logger: false })],
    }).compile();
    await module.init();
    try {
      const channel = module.get(ChannelService);
      const sub = await channel.subscribe('in-band', { offset: Offset.BEGIN, batch: 1 });
      await channel.produce('in-band', { upgraded: true });
      const first = await sub[Symbol.asyncIterator]().next();
      expect(first.value.json()).toEqual({ upgraded: true });
      await sub.close();
    } finally {
      await module.close();
    }

    // The same URL without tls options: the server requires TLS and the client has none to offer.
    const plain = natsTransportFactory(natsContext({ url: parseBrokerUrl(plainUrl), secure: false }));
    const error = await plain.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    await plain.close();
    expect(error).toBeInstanceOf(PermanentError);
  });
});
