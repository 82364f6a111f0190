import { createTestPki } from '@databus/testing';

/** Paths of the material generated for one test run (the shared test PKI helper, named as these tests use it). */
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

/** A test CA, a server certificate for localhost/127.0.0.1 and a client certificate (libs/testing's createTestPki). */
export async function generateTestCerts(): Promise<TestCerts> {
  const pki = createTestPki();
  return {
    dir: pki.dir,
    ca: pki.caCert,
    serverCert: pki.serverCert,
    serverKey: pki.serverKey,
    clientCert: pki.clientCert,
    clientKey: pki.clientKey,
    clientPfx: pki.clientPfx,
    pfxPassphrase: pki.pfxPassphrase,
    otherCa: pki.otherCaCert,
    cleanup: () => pki.remove(),
  };
}
