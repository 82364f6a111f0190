import { Injectable } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { InjectTaskQueue, TaskHandler, TaskQueue, TaskQueueModule } from '@databus/queue';
import { brokerUrl, describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { RabbitAdmin } from './helpers/rabbit-admin';

/** The loopback broker's URL with a closed port (nothing listens on 127.0.0.1:1) as the cluster's first host. */
function urlWithFirstHostDown(): string {
  const live = new URL(brokerUrl('amqp'));
  const auth = live.username ? `${live.username}:${live.password}@` : '';
  return `amqp://${auth}127.0.0.1:1,${live.hostname}:${live.port || 5672}${live.pathname}`;
}

describeWithBroker('amqp', 'task queue on a RabbitMQ cluster URL', () => {
  const admin = new RabbitAdmin(brokerUrl('amqp'));
  const queues: string[] = [];
  afterAll(async () => {
    await admin.deleteQueues(queues.flatMap((q) => [q, `${q}.dlq`]));
    await admin.close();
  });

  it('connects to the second host when the first does not answer, and runs tasks', async () => {
    const queue = uniqueName('cluster-url');
    queues.push(queue);
    const handled: unknown[] = [];
    @Injectable()
    class Worker {
      constructor(@InjectTaskQueue() readonly tasks: TaskQueue) {}
      @TaskHandler(queue)
      handle(task: unknown) {
        handled.push(task);
      }
    }
    let moduleRef: TestingModule | undefined;
    try {
      moduleRef = await Test.createTestingModule({
        imports: [TaskQueueModule.forRoot({ url: urlWithFirstHostDown(), logger: false })],
        providers: [Worker],
      }).compile();
      await moduleRef.init();
      await moduleRef.get(Worker).tasks.enqueue(queue, { n: 1 });
      await waitFor(() => handled.length === 1, { message: 'the task' });
      expect(handled).toEqual([{ n: 1 }]);
    } finally {
      await moduleRef?.close();
    }
  });
});
