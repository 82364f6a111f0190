import { resolveTaskQueueOptions } from '../../options/resolve-options';
import { amqpConnectArgs } from '@databus/common/amqp';
import { amqpTarget } from './rabbitmq.connect-options';

const CA = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';

describe('amqpConnectArgs', () => {
  it('uses URL credentials and vhost, and keeps TLS verification on with SNI', () => {
    const options = resolveTaskQueueOptions({ url: 'amqps://u:p@broker.local/prod', tls: { ca: CA } });
    const args = amqpConnectArgs(amqpTarget(options, 'conn'), options.url.hosts[0], undefined);
    expect(args.connect).toMatchObject({
      protocol: 'amqps',
      hostname: 'broker.local',
      port: 5671,
      username: 'u',
      password: 'p',
      vhost: 'prod',
    });
    expect(args.socket).toMatchObject({
      rejectUnauthorized: true,
      servername: 'broker.local',
      ca: [Buffer.from(CA)],
    });
  });

  it('prefers the credentials provider, with the token as the password', () => {
    const options = resolveTaskQueueOptions({ url: 'amqp://u:p@10.0.0.1' });
    const args = amqpConnectArgs(amqpTarget(options, 'conn'), options.url.hosts[0], {
      username: 'svc',
      token: 'jwt',
    });
    expect(args.connect).toMatchObject({ username: 'svc', password: 'jwt', port: 5672, vhost: '/' });
    expect(args.socket.servername).toBeUndefined();
  });

  it('logs in as guest/guest when no credentials are given anywhere', () => {
    const options = resolveTaskQueueOptions({ url: 'amqp://localhost' });
    const args = amqpConnectArgs(amqpTarget(options, 'conn'), options.url.hosts[0], undefined);
    expect(args.connect).toMatchObject({ username: 'guest', password: 'guest' });
    expect(args.socket.clientProperties).toEqual({ connection_name: 'conn', product: '@databus/queue' });
  });
});
