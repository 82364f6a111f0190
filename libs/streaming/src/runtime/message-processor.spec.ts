import { DatabusError, PayloadDecodeError, resolveBackoff, TemporaryError } from '@databus/common';
import { DatasetMessage } from '../message/dataset-message';
import { DatabusHeaders } from '../message/headers';
import { IncomingRecord, OutgoingRecord } from '../transport/transport-record.interface';
import { StreamingTransport } from '../transport/transport.interface';
import { MessageProcessor, ProcessorPolicy } from './message-processor';

const quiet = { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() };
const fast = resolveBackoff({ initialMs: 1, maxMs: 2 }, 'b');

function message(body: string, extra: Partial<IncomingRecord> = {}): DatasetMessage {
  return new DatasetMessage({
    dataset: 'readings',
    headers: {},
    data: Buffer.from(body),
    sequence: 7,
    timestamp: new Date(),
    redelivered: false,
    ...extra,
  });
}

function fakeTransport() {
  const produced: Array<{ dataset: string; record: OutgoingRecord }> = [];
  const replies: Array<{ to: string; record: OutgoingRecord }> = [];
  let failProduces = 0;
  const transport = {
    produce: jest.fn(async (dataset: string, records: OutgoingRecord[]) => {
      if (failProduces-- > 0) throw new TemporaryError('broker down');
      produced.push(...records.map((record) => ({ dataset, record })));
      return [];
    }),
    reply: jest.fn(async (to: string, _c: string | undefined, record: OutgoingRecord) => {
      replies.push({ to, record });
    }),
  } as unknown as StreamingTransport;
  return { transport, produced, replies, failNextProduces: (n: number) => (failProduces = n) };
}

const policy = (over: Partial<ProcessorPolicy> = {}): ProcessorPolicy => ({
  dataset: 'readings',
  group: 'store',
  decode: 'json',
  attempts: 3,
  backoff: fast,
  deadLetter: 'readings.dlq',
  reconnect: fast,
  ...over,
});

describe('MessageProcessor', () => {
  it('retries up to `attempts`, then dead-letters with the error and attempt count', async () => {
    const { transport, produced } = fakeTransport();
    const invoke = jest.fn().mockRejectedValue(new Error('db unavailable'));
    const processor = new MessageProcessor(invoke, policy(), transport, quiet, new AbortController().signal);
    await expect(processor.process(message('{"a":1}', { key: 'k' }))).resolves.toBe('done');
    expect(invoke).toHaveBeenCalledTimes(3);
    expect(produced).toHaveLength(1);
    expect(produced[0].dataset).toBe('readings.dlq');
    expect(produced[0].record.key).toBe('k');
    expect(produced[0].record.headers).toMatchObject({
      [DatabusHeaders.ATTEMPTS]: '3',
      [DatabusHeaders.ERROR_NAME]: 'Error',
      [DatabusHeaders.ERROR_MESSAGE]: 'db unavailable',
      [DatabusHeaders.SOURCE_GROUP]: 'store',
      [DatabusHeaders.SOURCE_SEQUENCE]: '7',
    });
  });

  it('dead-letters an undecodable body without calling the handler', async () => {
    const { transport, produced } = fakeTransport();
    const invoke = jest.fn();
    const processor = new MessageProcessor(invoke, policy(), transport, quiet, new AbortController().signal);
    await processor.process(message('not json'));
    expect(invoke).not.toHaveBeenCalled();
    expect(produced[0].record.headers[DatabusHeaders.ERROR_NAME]).toBe(PayloadDecodeError.name);
    expect(produced[0].record.data.toString()).toBe('not json');
  });

  it('does not retry a 4xx HttpException (a ValidationPipe rejection)', async () => {
    const { transport } = fakeTransport();
    const rejection = Object.assign(new Error('Bad Request Exception'), { getStatus: () => 400 });
    const invoke = jest.fn().mockRejectedValue(rejection);
    const processor = new MessageProcessor(invoke, policy(), transport, quiet, new AbortController().signal);
    await processor.process(message('{}'));
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it('dead-letters a non-retriable DatabusError that is not a PermanentError at once, as the queue does', async () => {
    class RefusedError extends DatabusError {
      readonly retriable = false;
    }
    const { transport, produced } = fakeTransport();
    const invoke = jest.fn().mockRejectedValue(new RefusedError('HTTP 404 from the inventory API'));
    const processor = new MessageProcessor(invoke, policy(), transport, quiet, new AbortController().signal);
    await processor.process(message('{}'));
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(produced.map((p) => p.dataset)).toEqual(['readings.dlq']);
    expect(produced[0].record.headers[DatabusHeaders.ERROR_NAME]).toBe('RefusedError');
  });

  it('keeps retrying the dead-letter write while the broker is down, so nothing is lost', async () => {
    const { transport, produced, failNextProduces } = fakeTransport();
    failNextProduces(3);
    const processor = new MessageProcessor(
      jest.fn().mockRejectedValue(new Error('x')),
      policy({ attempts: 1 }),
      transport,
      quiet,
      new AbortController().signal,
    );
    await expect(processor.process(message('{}'))).resolves.toBe('done');
    expect(produced).toHaveLength(1);
  });

  it('abandons the message (no ack) when shutdown aborts a retry wait', async () => {
    const { transport, produced } = fakeTransport();
    const abort = new AbortController();
    const slow = resolveBackoff({ initialMs: 10_000, maxMs: 10_000 }, 'b');
    const processor = new MessageProcessor(
      jest.fn().mockRejectedValue(new Error('x')),
      policy({ backoff: slow }),
      transport,
      quiet,
      abort.signal,
    );
    const outcome = processor.process(message('{}'));
    setTimeout(() => abort.abort(new Error('stopping')), 5);
    await expect(outcome).resolves.toBe('abandoned');
    expect(produced).toHaveLength(0);
  });

  it('sends the return value to the reply address, and the failure after dead-lettering', async () => {
    const { transport, replies } = fakeTransport();
    const ok = new MessageProcessor(
      async (p) => ({ echo: p }),
      policy(),
      transport,
      quiet,
      new AbortController().signal,
    );
    await ok.process(message('{"x":1}', { replyTo: 'inbox-1', correlationId: 'c1' }));
    expect(JSON.parse(replies[0].record.data.toString())).toEqual({ echo: { x: 1 } });
    const failing = new MessageProcessor(
      jest.fn().mockRejectedValue(new Error('nope')),
      policy({ attempts: 1 }),
      transport,
      quiet,
      new AbortController().signal,
    );
    await failing.process(message('{}', { replyTo: 'inbox-2' }));
    expect(replies[1].to).toBe('inbox-2');
    expect(replies[1].record.headers[DatabusHeaders.ERROR_MESSAGE]).toBe('nope');
  });

  it('with deadLetter: false logs the failure at error level and drops the message', async () => {
    const { transport, produced } = fakeTransport();
    const logger = { ...quiet, error: jest.fn() };
    const processor = new MessageProcessor(
      jest.fn().mockRejectedValue(new Error('x')),
      policy({ attempts: 1, deadLetter: false }),
      transport,
      logger,
      new AbortController().signal,
    );
    await expect(processor.process(message('{}'))).resolves.toBe('done');
    expect(produced).toHaveLength(0);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('deadLetter: false'));
  });
});
