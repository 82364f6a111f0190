import { Logger } from '@nestjs/common';
import { brokerUrl, describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { RabbitMqBackend } from '../src/backends/rabbitmq/rabbitmq.backend';
import { resolveTaskQueueOptions } from '../src/options/resolve-options';
import { RabbitAdmin, withRabbitStopped } from './helpers/rabbit-admin';

describeWithBroker('amqp', 'rabbitmq consumer registry across a broker restart', () => {
  it('re-attaches each active consumer exactly once and never a cancelled one', async () => {
    const admin = new RabbitAdmin(brokerUrl('amqp'));
    const options = resolveTaskQueueOptions({
      url: brokerUrl('amqp'),
      reconnect: { initialMs: 50, maxMs: 500 },
    });
    const backend = new RabbitMqBackend(options, new Logger('test'), 'registry-test');
    const [kept, cancelled] = [uniqueName('kept'), uniqueName('cancelled')];
    const connected: number[] = [];
    backend.onStatus((status) => {
      if (status.type === 'connected') connected.push(status.generation);
    });
    try {
      await backend.connect();
      await backend.consume({ queue: { name: kept }, prefetch: 5 }, (d) => backend.ack(d));
      const second = await backend.consume({ queue: { name: cancelled }, prefetch: 5 }, (d) =>
        backend.ack(d),
      );
      await backend.consume({ bindExchange: kept, prefetch: 5 }, (d) => backend.ack(d));
      await second.cancel();
      expect(await admin.consumerCount(cancelled)).toBe(0);
      await withRabbitStopped(async () => {
        await waitFor(() => !backend.isConnected(), { message: 'the disconnect to be noticed' });
      });
      await waitFor(() => connected.length >= 2, { timeoutMs: 60_000, message: 'the reconnect' });
      expect(await admin.consumerCount(kept)).toBe(1);
      expect(await admin.consumerCount(cancelled)).toBe(0);
      expect(backend.attachedConsumers()).toBe(2);
    } finally {
      await backend.close();
      await admin.deleteQueues([kept, cancelled]);
      await admin.close();
    }
  }, 120_000);
});
