import { GatewayTimeoutException } from '@nestjs/common';
import { ReadingReceipts } from './reading-receipts';

describe('ReadingReceipts', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves a receipt with the sequence and message id the handler stored the reading with', async () => {
    const receipts = new ReadingReceipts();
    const receipt = receipts.expect('r1', 'the reading of "boiler"');
    receipts.stored('someone-else', { sequence: 7, messageId: 'm7' });
    receipts.stored(undefined, { sequence: 8, messageId: 'm8' });
    receipts.stored('r1', { sequence: 9, messageId: 'm9' });
    await expect(receipt).resolves.toEqual({ sequence: 9, messageId: 'm9' });
  });

  it('answers 504 naming the reading when the handler does not store it in time', async () => {
    jest.useFakeTimers();
    const receipts = new ReadingReceipts();
    const receipt = receipts.expect('r2', 'the reading of "boiler"', 2_000);
    jest.advanceTimersByTime(2_000);
    await expect(receipt).rejects.toBeInstanceOf(GatewayTimeoutException);
    await expect(receipt).rejects.toThrow(
      'the reading of "boiler" was published but not stored within 2 s (is the readings handler running?)',
    );
    receipts.stored('r2', { sequence: 3, messageId: 'm3' }); // too late: ignored
  });

  it('rejects what is still waiting when the module stops', async () => {
    const receipts = new ReadingReceipts();
    const receipt = receipts.expect('r3', 'the reading of "boiler"');
    receipts.onModuleDestroy();
    await expect(receipt).rejects.toThrow('the demo is shutting down before the reading was stored');
  });
});
