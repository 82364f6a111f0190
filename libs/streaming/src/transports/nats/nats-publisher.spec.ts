import { PermanentError, RetriesExhaustedError, resolveBackoff } from '@databus/common';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { errors, headers } from './nats-client';
import type { NatsStreams } from './nats-streams';
import { NatsPublisher } from './nats-publisher';

const quiet = { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() };

function setup(publish: jest.Mock, produceTimeoutMs = 5_000) {
  const streams = {
    locate: jest.fn(async () => ({ stream: 'S', subject: 'ds' })),
    forget: jest.fn(),
  } as unknown as NatsStreams;
  const logger = { ...quiet, debug: jest.fn() };
  const publisher = new NatsPublisher(() => ({ publish }) as unknown as JetStreamClient, streams, {
    produceTimeoutMs,
    apiTimeoutMs: 1_000,
    dedupe: true,
    reconnect: resolveBackoff({ initialMs: 1, maxMs: 2, jitter: 0 }, 'reconnect'),
    isClosed: () => false,
    whenConnected: async () => undefined,
    logger,
  });
  return { publisher, logger };
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
