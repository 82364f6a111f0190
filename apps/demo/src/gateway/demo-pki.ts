import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '@databus/common';

/** Paths of the demo PKI: a CA, a server certificate for the issuer, a client certificate for the worker. */
export interface DemoPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** Common name of the client certificate; it becomes the `sub` of the JWTs issued for it. */
export const DEMO_CLIENT_NAME = 'sensor-hub-worker';

const FILES = {
  caCert: 'ca.pem',
  serverCert: 'server.pem',
  serverKey: 'server.key',
  clientCert: 'client.pem',
  clientKey: 'client.key',
} as const;

/**
 * Returns the demo PKI under `<dataDir>/pki`, generating it with the `openssl` CLI at first start (EC P-256,
 * valid 825 days; the server certificate names localhost, 127.0.0.1 and ::1). Generation happens in a
 * temporary directory that is renamed into place, so an interrupted start never leaves half a PKI behind.
 */
export function ensureDemoPki(dataDir: string): DemoPki {
  const dir = join(dataDir, 'pki');
  const pki = pathsIn(dir);
  if (Object.values(FILES).every((file) => existsSync(join(dir, file)))) return pki;
  mkdirSync(dataDir, { recursive: true });
  const work = mkdtempSync(join(dataDir, '.pki-'));
  try {
    generate(work);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  return pki;
}

function pathsIn(dir: string): DemoPki {
  return {
    dir,
    caCert: join(dir, FILES.caCert),
    serverCert: join(dir, FILES.serverCert),
    serverKey: join(dir, FILES.serverKey),
    clientCert: join(dir, FILES.clientCert),
    clientKey: join(dir, FILES.clientKey),
  };
}

function generate(dir: string): void {
  const run = (...args: string[]) => openssl(dir, args);
  const key = (file: string) =>
    run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file);
  key('ca.key');
  run(
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-sha256',
    '-days',
    '825',
    '-subj',
    '/CN=databus demo CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    FILES.caCert,
  );
  const leaf = (name: string, cn: string, extensions: string) => {
    key(`${name}.key`);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    run('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      FILES.caCert,
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '825',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  };
  leaf(
    'server',
    'localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n',
  );
  leaf('client', DEMO_CLIENT_NAME, 'extendedKeyUsage=clientAuth\n');
  // The CA key is needed only to sign the two leaves: keep no signing key around.
  rmSync(join(dir, 'ca.key'));
}

function openssl(cwd: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: 'pipe' });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigurationError(
      'AUTH_STRATEGY',
      missing
        ? '"password", or the openssl CLI installed to generate the demo PKI for "mtls"'
        : 'a working openssl CLI to generate the demo PKI for "mtls"',
      { cause: error },
    );
  }
}
