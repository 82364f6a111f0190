import { PermanentError, RetriesExhaustedError, resolveBackoff } from '@databus/common';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { errors, headers } from './nats-client';
import type { NatsStreams } from './nats-streams';
import { NatsPublisher } from './nats-publisher';

const quiet = { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() };

function setup(
  publish: jest.Mock,
  produceTimeoutMs = 5_000,
  {
    known = true,
    connected = true,
    whenConnected = async (): Promise<void> => undefined,
  }: { known?: boolean; connected?: boolean; whenConnected?: () => Promise<void> } = {},
) {
  const streams = {
    locate: jest.fn(async () => ({ stream: 'S', subject: 'ds' })),
    located: jest.fn(() => (known ? { stream: 'S', subject: 'ds' } : undefined)),
    forget: jest.fn(),
  } as unknown as NatsStreams;
  const logger = { ...quiet, debug: jest.fn() };
  const publisher = new NatsPublisher(() => ({ publish }) as unknown as JetStreamClient, streams, {
    produceTimeoutMs,
    apiTimeoutMs: 1_000,
    dedupe: true,
    reconnect: resolveBackoff({ initialMs: 1, maxMs: 2, jitter: 0 }, 'reconnect'),
    isClosed: () => false,
    whenConnected,
    connected: () => connected,
    logger,
  });
  return { publisher, logger, streams };
}

const message = { data: Buffer.from('{}'), headers: headers() };
const ack = (seq: number): PubAck => ({ seq, stream: 'S', duplicate: false }) as PubAck;

describe('NatsPublisher', () => {
  it('retries a temporary publish failure with the same message id, one log line per failed attempt', async () => {
    const publish = jest
      .fn()
      .mockRejectedValueOnce(new Error('TIMEOUT'))
      .mockRejectedValueOnce(new Error('TIMEOUT'))
      .mockResolvedValue(ack(7));
    const { publisher, logger } = setup(publish);
    await expect(publisher.publish('ds', [message])).resolves.toEqual([ack(7)]);
    expect(publish).toHaveBeenCalledTimes(3);
    const ids = publish.mock.calls.map((c) => (c[2] as { msgID: string }).msgID);
    expect(new Set(ids).size).toBe(1);
    expect(logger.debug).toHaveBeenCalledTimes(2);
    expect(logger.debug.mock.calls[0][0]).toBe(
      'nats produce to "ds" failed (attempt 1): nats produce to "ds" failed: TIMEOUT; retrying in 1 ms',
    );
  });

  it('retries "no responders" while the stream exists (no leader during a cluster election), same message id', async () => {
    // nats.js reports a publish nobody answered as JetStreamNotEnabled caused by NoRespondersError.
    const noLeader = Object.assign(
      new Error('jetstream is not enabled', { cause: new errors.NoRespondersError('ds') }),
      { name: 'JetStreamNotEnabled' },
    );
    const publish = jest.fn().mockRejectedValueOnce(noLeader).mockResolvedValue(ack(3));
    const { publisher } = setup(publish);
    await expect(publisher.publish('ds', [message])).resolves.toEqual([ack(3)]);
    const ids = publish.mock.calls.map((c) => (c[2] as { msgID: string }).msgID);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('publishes every message of a batch before any acknowledgement arrives, in order, one message id each', async () => {
    const acks: Array<(ack: PubAck) => void> = [];
    const publish = jest.fn(
      (_subject: string, _data: Uint8Array, _options: { msgID: string }) =>
        new Promise<PubAck>((resolve) => acks.push(resolve)),
    );
    const { publisher } = setup(publish);
    const data = [Buffer.from('"a"'), Buffer.from('"b"'), Buffer.from('"c"')];
    const done = publisher.publish(
      'ds',
      data.map((d) => ({ data: d, headers: headers() })),
    );
    expect(publish.mock.calls.map((c) => c[1])).toEqual(data);
    const ids = publish.mock.calls.map((c) => c[2].msgID);
    expect(new Set(ids).size).toBe(3);
    acks.forEach((resolve, i) => resolve(ack(i + 1)));
    await expect(done).resolves.toEqual([ack(1), ack(2), ack(3)]);
  });

  it('locates the stream and waits for the connection before the first publish of a dataset', async () => {
    let connect!: () => void;
    const up = new Promise<void>((resolve) => (connect = resolve));
    const whenConnected = jest.fn(() => up);
    const publish = jest.fn().mockResolvedValue(ack(1));
    const { publisher, streams } = setup(publish, 5_000, { known: false, connected: false, whenConnected });
    const done = publisher.publish('ds', [message]);
    await Promise.resolve();
    expect(publish).not.toHaveBeenCalled();
    connect();
    await expect(done).resolves.toEqual([ack(1)]);
    expect(streams.locate).toHaveBeenCalledWith('ds');
    expect(publish.mock.calls[0][0]).toBe('ds');
  });

  it('fails a permanent refusal at once, unchanged', async () => {
    const refusal = new PermanentError('permissions violation for publish to "ds"');
    const publish = jest.fn().mockRejectedValue(refusal);
    const { publisher } = setup(publish);
    await expect(publisher.publish('ds', [message])).rejects.toBe(refusal);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('gives up at produceTimeoutMs with a RetriesExhaustedError naming the option', async () => {
    const publish = jest.fn().mockRejectedValue(new Error('TIMEOUT'));
    const { publisher } = setup(publish, 30);
    const failure = publisher.publish('ds', [message]);
    await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(failure).rejects.toThrow(
      /within StreamingModule\.produceTimeoutMs = \d+ ms: nats produce to "ds" failed: TIMEOUT/,
    );
  });
});
