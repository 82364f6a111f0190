import { Injectable } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { staticCredentials } from '@databus/common';
import { AuthenticationError, TaskHandler, TaskQueue, TaskQueueModule, TemporaryError } from '@databus/queue';
import { describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { startApp } from './conformance/fixture';
import { RabbitAdmin } from './helpers/rabbit-admin';

describeWithBroker('amqp', 'rabbitmq credentials and connection failures', () => {
  const queues: string[] = [];
  afterAll(async () => {
    const admin = new RabbitAdmin('amqp://guest:guest@127.0.0.1:5672');
    await admin.deleteQueues(queues.flatMap((q) => [q, `${q}.dlq`]));
    await admin.close();
  });

  it('connects with a CredentialsProvider whose token is used as the password', async () => {
    const app = await startApp({
      url: 'amqp://127.0.0.1:5672',
      credentials: staticCredentials({ username: 'guest', token: 'guest' }),
    });
    try {
      expect(app.get(TaskQueue).isConnected()).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('reads credentials from the environment through @nestjs/config', async () => {
    const queue = uniqueName('env');
    queues.push(queue);
    const got: unknown[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue)
      handle(task: unknown): void {
        got.push(task);
      }
    }
    const env = {
      RABBITMQ_HOST_URL: 'amqp://127.0.0.1:5672',
      RABBITMQ_USER: 'guest',
      RABBITMQ_PASS: 'guest',
    };
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => env] }),
        TaskQueueModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            url: config.getOrThrow('RABBITMQ_HOST_URL'),
            username: config.getOrThrow('RABBITMQ_USER'),
            password: config.getOrThrow('RABBITMQ_PASS'),
          }),
        }),
      ],
      providers: [Worker],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    try {
      await moduleRef.get(TaskQueue).enqueue(queue, { from: 'env' });
      await waitFor(() => got.length === 1);
    } finally {
      await moduleRef.close();
    }
  });

  it('fails at startup with AuthenticationError (without the password) on refused credentials', async () => {
    const failure = startApp({
      url: 'amqp://guest:wrong-secret-42@127.0.0.1:5672',
      connectTimeoutMs: 10_000,
    });
    await expect(failure).rejects.toBeInstanceOf(AuthenticationError);
    await expect(failure).rejects.toThrow(/^(?!.*wrong-secret-42)/s);
  });

  it('fails at startup with TemporaryError when no broker answers within connectTimeoutMs', async () => {
    const failure = startApp({
      url: 'amqp://guest:guest@127.0.0.1:1',
      connectTimeoutMs: 300,
      reconnect: { initialMs: 50, maxMs: 100 },
    });
    await expect(failure).rejects.toBeInstanceOf(TemporaryError);
    await expect(failure).rejects.toThrow(
      /^Could not connect to amqp:\/\/127\.0\.0\.1:1 within connectTimeoutMs = 300 ms \(last failure: Cannot connect to amqp:\/\/127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1\)$/,
    );
  });
});
