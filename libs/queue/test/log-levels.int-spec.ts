import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CapturingLogger, uniqueName, waitFor } from '@databus/testing';
import { TaskHandler, TaskQueue, TaskQueueModule } from '@databus/queue';

describe('log levels of a failing task handler', () => {
  it('one WARN per retry (attempt n of N, message, no stack), one ERROR when dead-lettered, nothing from Nest', async () => {
    const queue = uniqueName('noisy');
    const logger = new CapturingLogger();
    @Injectable()
    class Poisoned {
      @TaskHandler(queue, { retry: { attempts: 3, backoff: { initialMs: 5, maxMs: 5, jitter: 0 } } })
      handle(): void {
        throw new Error('the stats table is locked');
      }
    }
    const module = await Test.createTestingModule({
      imports: [TaskQueueModule.forRoot({ url: 'memory://', logger })],
      providers: [Poisoned],
    }).compile();
    module.useLogger(logger);
    await module.init();
    try {
      await module.get(TaskQueue).enqueue(queue, { sensor: 'a' });
      await waitFor(() => logger.at('error').length > 0, { message: 'the dead-letter log line' });

      expect(logger.at('warn')).toEqual([
        'Poisoned.handle failed on attempt 1 of 3 (retrying in 5 ms): the stats table is locked',
        'Poisoned.handle failed on attempt 2 of 3 (retrying in 5 ms): the stats table is locked',
      ]);
      expect(logger.at('error')).toEqual([
        `A message from "${queue}" was dead-lettered to "${queue}.dlq" after 3 attempt(s) (retries-exhausted: the stats table is locked).`,
      ]);
      expect(logger.from('ExceptionsHandler')).toEqual([]);
    } finally {
      await module.close();
    }
  });
});
