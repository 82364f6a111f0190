import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AuthenticationError,
  loadTlsMaterial,
  parseBrokerUrl,
  PermanentError,
  resolveBackoff,
  staticCredentials,
} from '@databus/common';
import { describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { StreamingTransport, TransportContext } from '@databus/streaming';
import { mqttTransportFactory } from '../../src/transports/mqtt';
import { drain, numbered, quietLogger, spec } from './mqtt-helpers';
import { generateTestPki, TestPki } from './nats-test-kit';

const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

// A private Mosquitto (child of this test) with TLS, required client certificates and a password file.
describeWithBroker('mqtt', 'mqtt transport with mTLS and passwords (private Mosquitto)', () => {
  let pki: TestPki;
  let broker: ChildProcess;
  let port: number;

  beforeAll(async () => {
    pki = await generateTestPki();
    port = await freePort();
    await chmod(pki.dir, 0o755);
    await run('mosquitto_passwd', ['-b', '-c', join(pki.dir, 'passwd'), 'svc', 'right-password']);
    const conf = join(pki.dir, 'mosquitto.conf');
    await writeFile(
      conf,
      [
        'user root',
        `listener ${port} 127.0.0.1`,
        'allow_anonymous false',
        `password_file ${join(pki.dir, 'passwd')}`,
        `cafile ${pki.ca}`,
        `certfile ${pki.serverCert}`,
        `keyfile ${pki.serverKey}`,
        'require_certificate true',
        'persistence false',
        'log_dest none',
      ].join('\n') + '\n',
    );
    broker = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    await waitFor(() => answers(port), { timeoutMs: 10_000, message: 'the private Mosquitto' });
  });

  afterAll(async () => {
    broker?.kill('SIGTERM');
    await rm(pki.dir, { recursive: true, force: true });
  });

  function transport(password: string, tls: Parameters<typeof loadTlsMaterial>[0]): StreamingTransport {
    const context: TransportContext = {
      url: parseBrokerUrl(`mqtts://127.0.0.1:${port}`),
      secure: true,
      tls: loadTlsMaterial(tls, 'tls', () => undefined),
      credentials: staticCredentials({ username: 'svc', password }),
      clientId: `mqtt-sec-${process.pid}`,
      transportOptions: { connectTimeoutMs: 3000 },
      reconnect: resolveBackoff({ initialMs: 50, maxMs: 200 }, 'reconnect'),
      produceTimeoutMs: 5000,
      logger: quietLogger(),
    };
    return mqttTransportFactory(context);
  }

  it('produces and consumes over mTLS with username and password', async () => {
    const t = transport('right-password', { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey });
    await t.connect();
    try {
      const dataset = uniqueName('mqtt-tls');
      const sub = await t.subscribe(spec(dataset, { group: 'tls' }));
      await t.produce(dataset, numbered(3));
      expect(await drain(sub, 3)).toHaveLength(3);
      await sub.close();
    } finally {
      await t.close();
    }
  });

  it('fails with AuthenticationError on a refused password, without echoing it', async () => {
    const t = transport('wrong-password', { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey });
    const error = await t.connect().then(
      () => undefined,
      (e: Error) => e,
    );
    await t.close();
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error?.message).not.toContain('wrong-password');
  });

  it('verifies the broker certificate by default: an unknown CA is a PermanentError', async () => {
    const t = transport('right-password', { cert: pki.clientCert, key: pki.clientKey });
    const error = await t.connect().then(
      () => undefined,
      (e: Error) => e,
    );
    await t.close();
    expect(error).toBeInstanceOf(PermanentError);
    expect(error?.message).toMatch(/TLS verification failed/);
  });
});
