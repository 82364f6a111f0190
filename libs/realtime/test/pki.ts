import { createTestPki } from '@databus/testing';

/** A throwaway CA and a server certificate for 127.0.0.1 (PEM text), from the shared test PKI helper. */
export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

export function makeTestPki(): TestPki {
  const pki = createTestPki();
  try {
    return {
      caCert: pki.read(pki.caCert),
      serverCert: pki.read(pki.serverCert),
      serverKey: pki.read(pki.serverKey),
    };
  } finally {
    pki.remove();
  }
}
