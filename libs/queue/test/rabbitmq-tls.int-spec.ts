import { Injectable } from '@nestjs/common';
import { TestingModule } from '@nestjs/testing';
import {
  AuthenticationError,
  ConfigurationError,
  TaskHandler,
  TaskQueue,
  TaskQueueModuleOptions,
} from '@databus/queue';
import { describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { startApp } from './conformance/fixture';
import { RabbitAdmin } from './helpers/rabbit-admin';
import { generateTestCerts, TestCerts } from './helpers/test-certs';
import { startTlsProxy, TlsProxy } from './helpers/tls-proxy';

describeWithBroker('amqp', 'rabbitmq over TLS with a private CA and client certificates', () => {
  let certs: TestCerts;
  let proxy: TlsProxy;
  const apps: TestingModule[] = [];
  const queues: string[] = [];

  beforeAll(async () => {
    certs = await generateTestCerts();
    proxy = await startTlsProxy(certs);
  }, 30_000);
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(async () => {
    const admin = new RabbitAdmin('amqp://guest:guest@127.0.0.1:5672');
    await admin.deleteQueues(queues.flatMap((q) => [q, `${q}.dlq`]));
    await admin.close();
    await proxy?.close();
    certs?.cleanup();
  });

  const options = (tls: TaskQueueModuleOptions['tls'], host = 'localhost'): TaskQueueModuleOptions => ({
    url: `amqps://guest:guest@${host}:${proxy.port}`,
    tls,
    connectTimeoutMs: 3000,
  });

  async function roundTrip(tls: TaskQueueModuleOptions['tls'], host?: string): Promise<unknown[]> {
    const queue = uniqueName('tls');
    queues.push(queue);
    const got: unknown[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue)
      handle(task: unknown): void {
        got.push(task);
      }
    }
    const app = await startApp(options(tls, host), [Worker]);
    apps.push(app);
    await app.get(TaskQueue).enqueue(queue, { secure: true });
    await waitFor(() => got.length === 1);
    return got;
  }

  it('verifies the broker against the private CA and presents a PEM client certificate', async () => {
    await expect(roundTrip({ ca: certs.ca, cert: certs.clientCert, key: certs.clientKey })).resolves.toEqual([
      { secure: true },
    ]);
  });

  it('accepts a PKCS#12 bundle with its passphrase, and an IP address covered by the certificate', async () => {
    await expect(
      roundTrip({ ca: certs.ca, pfx: certs.clientPfx, passphrase: certs.pfxPassphrase }, '127.0.0.1'),
    ).resolves.toEqual([{ secure: true }]);
  });

  it('fails at startup with a ConfigurationError naming tls.ca when the broker is signed by another CA', async () => {
    const failure = startApp(options({ ca: certs.otherCa, cert: certs.clientCert, key: certs.clientKey }));
    await expect(failure).rejects.toBeInstanceOf(ConfigurationError);
    await expect(failure).rejects.toMatchObject({ option: 'tls.ca' });
    await expect(failure).rejects.toThrow(/certificate is not trusted.*check tls\.ca/);
  });

  it('fails at startup with a clear AuthenticationError when no client certificate is presented', async () => {
    const failure = startApp(options({ ca: certs.ca }));
    await expect(failure).rejects.toBeInstanceOf(AuthenticationError);
    await expect(failure).rejects.toThrow(/refused the client certificate.*tls\.cert/);
  });
});
