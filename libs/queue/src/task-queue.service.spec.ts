import { ConfigurationError, DatabusMetrics } from '@databus/common';
import type { OutgoingMessage, QueueBackend, QueueDeclaration } from './backends/queue-backend.interface';
import { QueueTelemetry } from './observability/queue-telemetry';
import type { ResolvedTaskQueueOptions } from './options/resolve-options';
import { TaskQueue } from './task-queue.service';

function setup() {
  const sent: Array<{ queue: string; message: OutgoingMessage; declare?: QueueDeclaration }> = [];
  const confirms: Array<() => void> = [];
  const backend = {
    kind: 'memory',
    onStatus: () => () => undefined,
    send: jest.fn((queue: string, message: OutgoingMessage, declare?: QueueDeclaration) => {
      sent.push({ queue, message, declare });
      return new Promise<void>((resolve) => confirms.push(resolve));
    }),
  } as unknown as QueueBackend;
  const metrics = { increment: jest.fn(), observe: jest.fn(), set: jest.fn() } as unknown as DatabusMetrics;
  const telemetry = new QueueTelemetry(backend, 'default', metrics, true);
  const options = { maxPriority: 0 } as ResolvedTaskQueueOptions;
  return { queue: new TaskQueue(backend, options, telemetry), sent, confirms, metrics };
}

describe('TaskQueue.enqueue', () => {
  it('resolves with the message id only once the backend confirmed the send, counting it then', async () => {
    const { queue, sent, confirms, metrics } = setup();
    let id: string | undefined;
    const done = queue.enqueue('jobs', { n: 1 }).then((value) => (id = value));
    await Promise.resolve();
    expect(sent).toHaveLength(1);
    expect(id).toBeUndefined();
    expect(metrics.increment).not.toHaveBeenCalled();
    confirms[0]();
    await done;
    expect(id).toBe(sent[0].message.properties.messageId);
    expect(metrics.increment).toHaveBeenCalledWith('databus_messages_produced_total', {
      lib: 'queue',
      dataset: 'jobs',
    });
  });

  it('hands every enqueue to one queue the same declaration', () => {
    const { queue, sent } = setup();
    void queue.enqueue('jobs', 1);
    void queue.enqueue('jobs', 2);
    void queue.enqueue('other', 3);
    expect(sent[0].declare).toBe(sent[1].declare);
    expect(sent[0].declare).toMatchObject({ name: 'jobs', option: 'enqueue("jobs").queueOptions' });
    expect(sent[2].declare).toMatchObject({ name: 'other' });
  });

  it('rejects, rather than throws, a payload JSON cannot encode, and sends nothing', async () => {
    const { queue, sent } = setup();
    let result: Promise<string> | undefined;
    expect(() => (result = queue.enqueue('jobs', { n: 1n }))).not.toThrow();
    await expect(result).rejects.toThrow(new TypeError('Do not know how to serialize a BigInt'));
    expect(sent).toHaveLength(0);
  });

  it('rejects a priority above maxPriority with a ConfigurationError naming the option', async () => {
    const { queue } = setup();
    const result = queue.enqueue('jobs', 1, { priority: 3 });
    await expect(result).rejects.toBeInstanceOf(ConfigurationError);
    await expect(result).rejects.toThrow(/TaskQueueModule\.maxPriority.*priority 3/);
  });
});
