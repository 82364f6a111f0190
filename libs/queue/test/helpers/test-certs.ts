import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const openssl = (args: string[], cwd: string) => promisify(execFile)('openssl', args, { cwd });

/** Paths of the material generated for one test run. */
export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** PKCS#12 bundle of the client certificate and key, protected by `pfxPassphrase`. */
  clientPfx: string;
  pfxPassphrase: string;
  /** A CA that signed nothing here: trusting only it must fail. */
  otherCa: string;
  cleanup(): void;
}

/** Generates a test CA, a server certificate for localhost/127.0.0.1 and a client certificate (openssl CLI). */
export async function generateTestCerts(): Promise<TestCerts> {
  const dir = mkdtempSync(join(tmpdir(), 'databus-queue-tls-'));
  const run = (...args: string[]) => openssl(args, dir);
  const selfSigned = (name: string, cn: string) =>
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
    );
  const signed = async (name: string, cn: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    await run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    );
    await run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  };
  await selfSigned('ca', 'databus test CA');
  await selfSigned('other-ca', 'databus other CA');
  await signed(
    'server',
    'localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  await signed('client', 'databus-worker', 'extendedKeyUsage=clientAuth\n');
  const pfxPassphrase = 'test-only-passphrase';
  await run(
    'pkcs12',
    '-export',
    '-in',
    'client.crt',
    '-inkey',
    'client.key',
    '-out',
    'client.p12',
    '-passout',
    `pass:${pfxPassphrase}`,
  );
  const path = (file: string) => join(dir, file);
  return {
    dir,
    ca: path('ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
    clientPfx: path('client.p12'),
    pfxPassphrase,
    otherCa: path('other-ca.crt'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
