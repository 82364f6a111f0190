import { CentrifugoClient, NetworkError } from '@databus/realtime';
import { FakeCentrifugo } from './fake-centrifugo';
import { makeTestPki, TestPki } from './pki';

const API_KEY = 'https-suite-api-key';

describe('CentrifugoClient over HTTPS with a private CA', () => {
  let pki: TestPki;
  let fake: FakeCentrifugo;

  beforeAll(async () => {
    pki = makeTestPki();
    fake = await FakeCentrifugo.start({ apiKey: API_KEY, tls: { cert: pki.serverCert, key: pki.serverKey } });
  });
  afterAll(() => fake.close());

  it('verifies the server against the CA given in tls.ca', async () => {
    const client = new CentrifugoClient({ apiUrl: fake.apiUrl, apiKey: API_KEY, tls: { ca: pki.caCert } });
    try {
      await expect(client.publish({ channel: 'secure', data: { ok: true } })).resolves.toEqual(
        expect.objectContaining({ offset: 1 }),
      );
    } finally {
      client.close();
    }
  });

  it('refuses a server its CA store does not trust (verification is on by default)', async () => {
    const client = new CentrifugoClient({ apiUrl: fake.apiUrl, apiKey: API_KEY });
    try {
      const error = await client.info().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).code).toMatch(/CERT|SIGNATURE|ISSUER/);
    } finally {
      client.close();
    }
  });
});
