import { LoadedTls } from './tls-options.interface';
import { tlsSocketOptions } from './tls-socket-options';

describe('tlsSocketOptions', () => {
  const material: LoadedTls = {
    ca: [Buffer.from('ca')],
    cert: Buffer.from('cert'),
    key: Buffer.from('key'),
    pfx: Buffer.from('pfx'),
    passphrase: 'pfx-pass',
    servername: 'broker.internal',
    rejectUnauthorized: true,
  };

  it('keeps verification on with the system CAs when no material was loaded', () => {
    expect(tlsSocketOptions(undefined)).toEqual({ rejectUnauthorized: true });
  });

  it('copies every field of the loaded material', () => {
    expect(tlsSocketOptions(material)).toEqual(material);
  });

  it('leaves out the fields that were not set, so the client keeps its own defaults', () => {
    const out = tlsSocketOptions({ rejectUnauthorized: true, ca: [Buffer.from('ca')] });
    expect(Object.keys(out).sort()).toEqual(['ca', 'rejectUnauthorized']);
  });

  it('carries insecure: true as rejectUnauthorized: false, and only then', () => {
    expect(tlsSocketOptions({ rejectUnauthorized: false }).rejectUnauthorized).toBe(false);
    expect(tlsSocketOptions({ rejectUnauthorized: true }).rejectUnauthorized).toBe(true);
  });

  it('uses the host name for SNI unless it is an IP address or servername is set', () => {
    expect(tlsSocketOptions(undefined, 'rabbit.internal').servername).toBe('rabbit.internal');
    expect(tlsSocketOptions(undefined, '127.0.0.1').servername).toBeUndefined();
    expect(tlsSocketOptions(undefined, '::1').servername).toBeUndefined();
    expect(tlsSocketOptions(material, 'rabbit.internal').servername).toBe('broker.internal');
  });

  it('sets no SNI name when neither a host nor servername is given', () => {
    expect(tlsSocketOptions({ rejectUnauthorized: true })).not.toHaveProperty('servername');
  });
});
