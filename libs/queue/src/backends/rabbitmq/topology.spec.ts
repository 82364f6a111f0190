import { delayQueueName, delayQueueOptions, quantizeDelay, workQueueOptions } from './topology';

describe('RabbitMQ topology', () => {
  it('rounds delays to two significant digits so jittered retries share few delay queues', () => {
    expect([0, 0.4, 5, 87, 1234, 1250, 98_765].map(quantizeDelay)).toEqual([0, 0, 5, 87, 1200, 1300, 99_000]);
  });

  it('names delay queues after their target, outside the reserved amq. namespace', () => {
    expect(delayQueueName('stats', 200)).toBe('stats.delay.200');
    expect(delayQueueName('amq.gen-abc', 200)).toBe('databus.delay.200.amq.gen-abc');
  });

  it('declares a delay queue that dead-letters back to its queue and expires when unused', () => {
    expect(delayQueueOptions('stats', 200)).toEqual({
      durable: true,
      arguments: {
        'x-message-ttl': 200,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': 'stats',
        'x-expires': 60_400,
      },
    });
  });

  it('declares work queues durable, with x-max-priority only when asked', () => {
    expect(workQueueOptions({ name: 'q' })).toEqual({ durable: true });
    expect(workQueueOptions({ name: 'q', maxPriority: 5 })).toEqual({
      durable: true,
      arguments: { 'x-max-priority': 5 },
    });
  });

  it("gives a quorum queue's delay queues their own names and the quorum type", () => {
    expect(delayQueueName('stats', 200, true)).toBe('stats.delay-quorum.200');
    expect(delayQueueName('amq.gen-abc', 200, true)).toBe('databus.delay-quorum.200.amq.gen-abc');
    expect(delayQueueOptions('stats', 200, true).arguments).toEqual({
      'x-queue-type': 'quorum',
      'x-message-ttl': 200,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'stats',
      'x-expires': 60_400,
    });
  });
});
