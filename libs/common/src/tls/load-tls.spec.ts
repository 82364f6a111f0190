import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { ConfigurationError } from '../errors';
import { loadTlsMaterial } from './load-tls';

/** A throwaway PKI made with openssl: a CA, a server certificate for 127.0.0.1 and a client certificate. */
interface Pki {
  dir: string;
  caPath: string;
  serverCert: string;
  serverKey: string;
  clientCertPath: string;
  clientKeyPath: string;
  pfxPath: string;
}

const PFX_PASSPHRASE = 'smoke-pfx-pass';

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'databus-tls-spec-'));
  const p = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-subj',
    '/CN=databus test CA',
    '-days',
    '2',
  );
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, ext] of [
    ['server', ['-extfile', p('server.ext')]],
    ['client', []],
  ] as const) {
    openssl('req', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${name}`);
    openssl(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.pem'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      p(`${name}.pem`),
      ...ext,
    );
  }
  openssl(
    'pkcs12',
    '-export',
    '-in',
    p('client.pem'),
    '-inkey',
    p('client.key'),
    '-out',
    p('client.p12'),
    '-passout',
    `pass:${PFX_PASSPHRASE}`,
  );
  return {
    dir,
    caPath: p('ca.pem'),
    serverCert: readFileSync(p('server.pem'), 'utf8'),
    serverKey: readFileSync(p('server.key'), 'utf8'),
    clientCertPath: p('client.pem'),
    clientKeyPath: p('client.key'),
    pfxPath: p('client.p12'),
  };
}

/** Connects to a TLS server that requires a client certificate; resolves with the client's CN or the error. */
function handshake(pki: Pki, client: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const server = tls.createServer(
      {
        cert: pki.serverCert,
        key: pki.serverKey,
        ca: readFileSync(pki.caPath),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        const peer = socket.getPeerCertificate();
        socket.end(String(peer.subject?.CN ?? 'anonymous'));
      },
    );
    server.on('tlsClientError', () => undefined);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const finish = (result: string): void => {
        socket.destroy();
        server.close(() => resolve(result));
      };
      const socket = tls.connect({ ...client, host: '127.0.0.1', port });
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => finish(`ok:${data}`));
      socket.on('error', (error: NodeJS.ErrnoException) => finish(`error:${error.code ?? error.message}`));
    });
  });
}

describe('loadTlsMaterial', () => {
  let pki: Pki;

  beforeAll(() => {
    pki = makePki();
  });

  afterAll(() => {
    rmSync(pki.dir, { recursive: true, force: true });
  });

  it('reads the CA, certificate and key from file paths, verification on by default', () => {
    const loaded = loadTlsMaterial({ ca: pki.caPath, cert: pki.clientCertPath, key: pki.clientKeyPath });
    expect(loaded.rejectUnauthorized).toBe(true);
    expect(loaded.ca).toEqual([readFileSync(pki.caPath)]);
    expect(loaded.cert?.toString()).toContain('-----BEGIN CERTIFICATE-----');
    expect(loaded.key?.toString()).toContain('PRIVATE KEY-----');
  });

  it('accepts PEM text and Buffers instead of paths, and a list of CAs', () => {
    const caText = readFileSync(pki.caPath, 'utf8');
    const loaded = loadTlsMaterial({
      ca: [caText, Buffer.from(caText)],
      cert: readFileSync(pki.clientCertPath),
      key: readFileSync(pki.clientKeyPath, 'utf8'),
      servername: 'broker.internal',
    });
    expect(loaded.ca).toHaveLength(2);
    expect(loaded.ca?.[1].toString()).toBe(caText);
    expect(loaded.servername).toBe('broker.internal');
  });

  it('gives material that completes a mutual-TLS handshake against the private CA', async () => {
    const loaded = loadTlsMaterial({ ca: pki.caPath, cert: pki.clientCertPath, key: pki.clientKeyPath });
    await expect(handshake(pki, loaded)).resolves.toBe('ok:client');
  });

  it('loads a PKCS#12 bundle with its passphrase and uses it for mutual TLS', async () => {
    const loaded = loadTlsMaterial({ ca: pki.caPath, pfx: pki.pfxPath, passphrase: PFX_PASSPHRASE });
    expect(loaded.pfx).toEqual(readFileSync(pki.pfxPath));
    expect(loaded.passphrase).toBe(PFX_PASSPHRASE);
    await expect(handshake(pki, loaded)).resolves.toBe('ok:client');
  });

  it('verifies the server: without the private CA the handshake is refused', async () => {
    const loaded = loadTlsMaterial({ cert: pki.clientCertPath, key: pki.clientKeyPath });
    await expect(handshake(pki, loaded)).resolves.toMatch(
      /^error:(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/,
    );
  });

  it('connects without the CA once insecure: true turns verification off', async () => {
    const loaded = loadTlsMaterial(
      { cert: pki.clientCertPath, key: pki.clientKeyPath, insecure: true },
      'tls',
      () => undefined,
    );
    await expect(handshake(pki, loaded)).resolves.toBe('ok:client');
  });

  it('turns verification off only with insecure: true, and warns once', () => {
    const warn = jest.fn();
    const loaded = loadTlsMaterial({ insecure: true }, 'queue.tls', warn);
    expect(loaded.rejectUnauthorized).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('queue.tls.insecure');
    const quiet = jest.fn();
    expect(loadTlsMaterial({ insecure: false }, 'tls', quiet).rejectUnauthorized).toBe(true);
    expect(quiet).not.toHaveBeenCalled();
  });

  it('names the option of a missing file and keeps the cause', () => {
    const missing = join(pki.dir, 'nope.pem');
    let error: unknown;
    try {
      loadTlsMaterial({ ca: missing }, 'streaming.tls');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('streaming.tls.ca');
    expect((error as Error).message).toContain('ENOENT');
    expect((error as Error).cause).toBeDefined();
  });

  it('names the index of a bad CA in a list', () => {
    expect(() => loadTlsMaterial({ ca: [pki.caPath, pki.clientKeyPath] })).toThrow(/"tls\.ca\[1\]"/);
  });

  it('rejects a key given as the certificate without echoing the key', () => {
    const keyText = readFileSync(pki.clientKeyPath, 'utf8');
    let error: unknown;
    try {
      loadTlsMaterial({ cert: keyText, key: keyText });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('tls.cert');
    const body = keyText.split('\n')[1];
    expect((error as Error).message).not.toContain(body);
  });

  it('rejects a file that is not PEM', () => {
    expect(() => loadTlsMaterial({ key: pki.pfxPath, cert: pki.clientCertPath })).toThrow(
      expect.objectContaining({ option: 'tls.key' }),
    );
  });

  it('requires the certificate and the key together', () => {
    expect(() => loadTlsMaterial({ cert: pki.clientCertPath })).toThrow(
      expect.objectContaining({ option: 'tls.key' }),
    );
    expect(() => loadTlsMaterial({ key: pki.clientKeyPath }, 'auth.tls')).toThrow(
      expect.objectContaining({ option: 'auth.tls.cert' }),
    );
  });

  it('never puts the passphrase in an error', () => {
    let error: unknown;
    try {
      loadTlsMaterial({ pfx: join(pki.dir, 'missing.p12'), passphrase: PFX_PASSPHRASE });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).not.toContain(PFX_PASSPHRASE);
  });

  it('rejects options that are not an object', () => {
    expect(() => loadTlsMaterial(null as never, 'x.tls')).toThrow(
      expect.objectContaining({ option: 'x.tls' }),
    );
  });
});
