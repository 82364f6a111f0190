import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths of the TLS material generated for one test file. */
export interface TestPki {
  dir: string;
  caCert: string;
  /** A second, unrelated CA: certificates it signs are not trusted by the servers. */
  otherCaCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** The client certificate and key as a PKCS#12 bundle, passphrase `pfxPassphrase`. */
  clientPfx: string;
  pfxPassphrase: string;
  /** A client certificate signed by `otherCaCert`. */
  strangerCert: string;
  strangerKey: string;
  /** A client certificate signed by the right CA whose validity ended yesterday. */
  expiredCert: string;
  expiredKey: string;
  read(path: string): string;
  remove(): void;
}

/**
 * Generates a test CA, a server certificate for 127.0.0.1/localhost and client certificates (valid, from a
 * foreign CA, expired, PKCS#12) into a temporary directory, with the `openssl` CLI. EC P-256 keys keep it fast.
 */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'databus-auth-pki-'));
  const p = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string, cn: string): void =>
    ssl(
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.crt`),
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
    );
  const leaf = (name: string, cn: string, issuer: string, ext: string, days: string): void => {
    ssl(
      'req',
      '-new',
      ...newKey,
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.csr`),
      '-subj',
      `/CN=${cn}`,
    );
    writeFileSync(p(`${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p(`${issuer}.crt`),
      '-CAkey',
      p(`${issuer}.key`),
      '-CAcreateserial',
      '-out',
      p(`${name}.crt`),
      '-days',
      days,
      '-extfile',
      p(`${name}.ext`),
    );
  };
  ca('ca', 'databus test CA');
  ca('other-ca', 'unrelated test CA');
  leaf(
    'server',
    'localhost',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    '2',
  );
  leaf('client', 'svc-client', 'ca', 'extendedKeyUsage=clientAuth\n', '2');
  leaf('stranger', 'svc-client', 'other-ca', 'extendedKeyUsage=clientAuth\n', '2');
  leaf('expired', 'svc-client', 'ca', 'extendedKeyUsage=clientAuth\n', '-1');
  const pfxPassphrase = 'test-pfx-passphrase';
  ssl(
    'pkcs12',
    '-export',
    '-inkey',
    p('client.key'),
    '-in',
    p('client.crt'),
    '-out',
    p('client.p12'),
    '-passout',
    `pass:${pfxPassphrase}`,
  );
  return {
    dir,
    caCert: p('ca.crt'),
    otherCaCert: p('other-ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    clientPfx: p('client.p12'),
    pfxPassphrase,
    strangerCert: p('stranger.crt'),
    strangerKey: p('stranger.key'),
    expiredCert: p('expired.crt'),
    expiredKey: p('expired.key'),
    read: (path) => readFileSync(path, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
