import { Injectable } from '@nestjs/common';
import { TestingModule } from '@nestjs/testing';
import { TaskHandler, TaskQueue, TaskQueueHealthIndicator } from '@databus/queue';
import { brokerUrl, describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { FAST, startApp } from './conformance/fixture';
import { RabbitAdmin } from './helpers/rabbit-admin';

describeWithBroker('amqp', 'rabbitmq health of a consumer the broker keeps refusing', () => {
  it('reports down (never a zombie) while the queue cannot be consumed, and up once it can', async () => {
    const admin = new RabbitAdmin(brokerUrl('amqp'));
    const queue = uniqueName('refused');
    const seen: number[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue)
      handle(task: { i: number }): void {
        seen.push(task.i);
      }
    }
    let app: TestingModule | undefined;
    try {
      app = await startApp(
        {
          url: brokerUrl('amqp'),
          ...FAST,
          // Slow enough re-attach retries for the admin to swap the queue in between.
          reconnect: { initialMs: 400, maxMs: 800 },
        },
        [Worker],
      );
      const health = app.get(TaskQueueHealthIndicator);
      expect(health.check('queue').queue.status).toBe('up');
      // Someone re-creates the queue with other arguments: every re-attach is refused (PRECONDITION_FAILED).
      await admin.withChannel(async (ch) => {
        await ch.deleteQueue(queue);
        await ch.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 5 } });
      });
      const down = await waitFor(
        () => {
          const result = health.check('queue').queue;
          return result.status === 'down' ? result : undefined;
        },
        { timeoutMs: 20_000, message: 'health down for the refused consumer' },
      );
      expect(String(down.reason)).toContain('consumer cannot attach: Worker.handle');
      expect(down.connection).toBe('connected');
      await admin.deleteQueues([queue]); // the next attempt declares it as the handler expects
      await waitFor(
        () => health.check('queue').queue.status === 'up' && !health.check('queue').queue.degraded,
        {
          timeoutMs: 20_000,
          message: 'health up after the queue was fixed',
        },
      );
      await app.get(TaskQueue).enqueue(queue, { i: 1 });
      await waitFor(() => seen.includes(1), { message: 'a task on the fixed queue' });
    } finally {
      await app?.close();
      await admin.deleteQueues([queue, `${queue}.dlq`]);
      await admin.close();
    }
  }, 60_000);
});
