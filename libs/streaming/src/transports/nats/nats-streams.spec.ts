import { PermanentError, TemporaryError } from '@databus/common';
import type { JetStreamManager } from '@nats-io/jetstream';
import { Offset } from '../../offset/offset';
import { NatsStreams } from './nats-streams';
import { resolveNatsOptions } from './nats.options';

const at = { stream: 'S', subject: 'ds' };
const spec = { dataset: 'ds', group: 'store', start: Offset.BEGIN, prefetch: 10, groupExpiryMs: 60_000 };

function streams(add: jest.Mock, remove: jest.Mock = jest.fn(async () => true)) {
  const jsm = { consumers: { add, delete: remove } } as unknown as JetStreamManager;
  return new NatsStreams(() => jsm, resolveNatsOptions({}));
}

describe('NatsStreams.recreateConsumer', () => {
  it('deletes and creates the consumer again at the new position', async () => {
    const add = jest.fn(async (_stream: string, _config: object) => ({ name: 'store' }));
    const remove = jest.fn(async () => true);
    await expect(streams(add, remove).recreateConsumer(spec, at, 'store', Offset.sequence(5))).resolves.toBe(
      'store',
    );
    expect(remove).toHaveBeenCalledWith('S', 'store');
    expect(add.mock.calls[0][1]).toMatchObject({ durable_name: 'store', opt_start_seq: 5 });
  });

  it('deletes again once when another member re-created it in between, then gives up with that error', async () => {
    const add = jest
      .fn()
      .mockRejectedValueOnce(new Error('consumer already exists'))
      .mockResolvedValueOnce({ name: 'store' });
    const remove = jest.fn(async () => true);
    await expect(streams(add, remove).recreateConsumer(spec, at, 'store', Offset.BEGIN)).resolves.toBe(
      'store',
    );
    expect(remove).toHaveBeenCalledTimes(2);
    const always = jest.fn().mockRejectedValue(new Error('consumer already exists'));
    const failure = streams(always).recreateConsumer(spec, at, 'store', Offset.BEGIN);
    await expect(failure).rejects.toBeInstanceOf(TemporaryError);
    await expect(failure).rejects.toThrow(/consumer create on "ds" failed: consumer already exists/);
    expect(always).toHaveBeenCalledTimes(2);
  });

  it('fails at once when the delete itself is refused', async () => {
    const add = jest.fn();
    const remove = jest.fn().mockRejectedValue(new PermanentError('permissions violation'));
    await expect(streams(add, remove).recreateConsumer(spec, at, 'store', Offset.BEGIN)).rejects.toThrow(
      new PermanentError('permissions violation'),
    );
    expect(remove).toHaveBeenCalledTimes(1);
    expect(add).not.toHaveBeenCalled();
  });
});

describe('NatsStreams.located', () => {
  it('knows a dataset once its lookup completed, and forgets it with forget()', async () => {
    const find = jest.fn(async () => 'USER_STREAM');
    const jsm = { streams: { find } } as unknown as JetStreamManager;
    const s = new NatsStreams(() => jsm, resolveNatsOptions({}));
    const lookup = s.locate('ds');
    expect(s.located('ds')).toBeUndefined();
    await expect(lookup).resolves.toEqual({ stream: 'USER_STREAM', subject: 'ds' });
    expect(s.located('ds')).toEqual({ stream: 'USER_STREAM', subject: 'ds' });
    s.forget('ds');
    expect(s.located('ds')).toBeUndefined();
    expect(find).toHaveBeenCalledTimes(1);
  });

  it('does not remember a failed lookup', async () => {
    const find = jest.fn().mockRejectedValue(new Error('timeout'));
    const jsm = { streams: { find } } as unknown as JetStreamManager;
    const s = new NatsStreams(() => jsm, resolveNatsOptions({}));
    const failure = s.locate('ds');
    await expect(failure).rejects.toBeInstanceOf(TemporaryError);
    await expect(failure).rejects.toThrow(/stream lookup failed: timeout/);
    expect(s.located('ds')).toBeUndefined();
  });
});
