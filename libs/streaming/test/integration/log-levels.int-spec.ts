import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CapturingLogger, waitFor } from '@databus/testing';
import { ChannelService, DatasetMessage, OnDatasetMessage, StreamingModule } from '@databus/streaming';
import { dataset } from '../conformance/harness';

describe('log levels of a failing handler', () => {
  it('one WARN per retry (attempt n of N, message, no stack), one ERROR when dead-lettered, nothing from Nest', async () => {
    const ds = dataset('noisy');
    const logger = new CapturingLogger();
    @Injectable()
    class Poisoned {
      @OnDatasetMessage(ds, { batch: 1, retry: { attempts: 3, backoff: { initialMs: 5, maxMs: 5 } } })
      handle(): void {
        throw new Error('the sensor table is locked');
      }
    }
    const module = await Test.createTestingModule({
      imports: [StreamingModule.forRoot({ url: 'memory://log-levels', logger })],
      providers: [Poisoned],
    }).compile();
    module.useLogger(logger);
    await module.init();
    try {
      const channel = module.get(ChannelService);
      const dead: DatasetMessage[] = [];
      await channel.subscribe(`${ds}.dlq`, { batch: 1, maxWaitMs: 50, callback: (m) => void dead.push(m) });
      await channel.produce(ds, { sensor: 'a' });
      await waitFor(() => dead.length === 1 && logger.at('error').length > 0, {
        message: 'the dead letter and its log line',
      });

      const retries = logger.at('warn').filter((m) => m.includes(`"${ds}"`));
      expect(retries).toEqual([
        expect.stringMatching(/\(attempt 1 of 3; retrying in \d+ ms\): the sensor table is locked$/),
        expect.stringMatching(/\(attempt 2 of 3; retrying in \d+ ms\): the sensor table is locked$/),
      ]);
      expect(logger.at('error')).toEqual([
        expect.stringMatching(
          new RegExp(`moved to "${ds}\\.dlq" after 3 attempt\\(s\\): Error: the sensor table is locked$`),
        ),
      ]);
      expect(logger.from('ExceptionsHandler')).toEqual([]);
      for (const line of [...logger.at('warn'), ...logger.at('error')]) expect(line).not.toMatch(/\n\s+at /);
    } finally {
      await module.close();
    }
  });
});
