import { amqpConnectArgs, amqpLogin, AmqpTarget, describeAmqpHost } from './connect-args';

const target: AmqpTarget = {
  secure: true,
  hosts: [{ host: 'rabbit.local' }],
  vhost: 'prod',
  heartbeatSeconds: 10,
  socketTimeoutMs: 5000,
  connectionName: 'app',
  product: '@databus/streaming',
};

describe('amqpLogin (one credential precedence for streaming and queue)', () => {
  it('takes the provider first (its token before its password), then the static credentials', () => {
    const fixed = { username: 'u', password: 'p' };
    expect(amqpLogin(fixed, { username: 'svc', token: 'jwt', password: 'pw' })).toEqual({
      username: 'svc',
      password: 'jwt',
    });
    expect(amqpLogin(fixed, { username: 'svc', password: 'pw' })).toEqual({
      username: 'svc',
      password: 'pw',
    });
    expect(amqpLogin(fixed, undefined)).toEqual({ username: 'u', password: 'p' });
  });

  it('uses guest/guest only when no credentials are given at all, an empty user for a bare token', () => {
    expect(amqpLogin({}, undefined)).toEqual({ username: 'guest', password: 'guest' });
    expect(amqpLogin({}, { token: 'jwt' })).toEqual({ username: '', password: 'jwt' });
  });
});

describe('amqpConnectArgs', () => {
  it('keeps verification on and sends the host name as SNI, but not an IP address', () => {
    const named = amqpConnectArgs(target, target.hosts[0], undefined);
    expect(named.connect).toMatchObject({
      protocol: 'amqps',
      hostname: 'rabbit.local',
      port: 5671,
      vhost: 'prod',
    });
    expect(named.socket).toMatchObject({
      rejectUnauthorized: true,
      servername: 'rabbit.local',
      timeout: 5000,
    });
    const ip = amqpConnectArgs(target, { host: '10.0.0.1', port: 5999 }, undefined);
    expect(ip.socket.servername).toBeUndefined();
    expect(ip.connect.port).toBe(5999);
  });

  it('uses tls.servername when set, and no TLS fields at all on amqp://', () => {
    const sni = amqpConnectArgs(
      { ...target, tls: { rejectUnauthorized: true, servername: 'alias' } },
      target.hosts[0],
      undefined,
    );
    expect(sni.socket.servername).toBe('alias');
    const plain = amqpConnectArgs({ ...target, secure: false, vhost: '' }, target.hosts[0], undefined);
    expect(plain.connect).toMatchObject({ protocol: 'amqp', port: 5672, vhost: '/' });
    expect(plain.socket).not.toHaveProperty('rejectUnauthorized');
  });

  it('describes a host without secrets, IPv6 bracketed', () => {
    expect(describeAmqpHost(target, { host: '::1' })).toBe('amqps://[::1]:5671/prod');
  });
});
