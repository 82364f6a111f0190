import { collectGarbage } from '@databus/testing';
import { AuthenticationError, ConsumerError, UnsupportedFeatureError } from '@databus/common';
import { SubscriptionClosedError } from '../../errors';
import { Offset } from '../../offset/offset';
import { IncomingRecord } from '../../transport/transport-record.interface';
import { StreamingTransport } from '../../transport/transport.interface';
import { KafkaDriver, KafkaDriverConsumer } from './kafka-driver.interface';
import { KafkaMembership, KafkaSubscription } from './kafka.subscription';
import { FakeConsumer, fakeKafkaRecords } from './testing/fake-kafka.driver';
import { fakeTransport, json, recordingLogger, settle, spec } from './testing/fake-kafka.helpers';

const values = (records: IncomingRecord[]): unknown[] => records.map((r) => JSON.parse(r.data.toString()));

async function produceN(
  transport: Pick<StreamingTransport, 'produce'>,
  n: number,
  from = 0,
  key?: (i: number) => string,
) {
  for (let i = from; i < from + n; i++) await transport.produce('readings', [json(i, key?.(i))]);
}

describe('KafkaSubscription', () => {
  describe('commits (ackMode position)', () => {
    it('commits the last acknowledged offset + 1 (the next record to read)', async () => {
      const { fake, transport } = await fakeTransport();
      await produceN(transport, 5);
      const sub = await transport.subscribe(spec({ group: 'store' }));
      const records = await sub.fetch(3, 200);
      expect(records.map((r) => r.sequence)).toEqual([0, 1, 2]);
      await sub.ack(records);
      expect(fake.commitsOf('store', 'readings')).toEqual({ 0: 3 });
      const consumer = fake.consumers[0];
      expect(consumer.commits.at(-1)).toEqual([{ partition: 0, offset: 3 }]);
      await transport.close();
    });

    it('takes overlapping acks (pipelinedAcks): one commit at a time, never a lower offset after a higher one', async () => {
      const { fake, transport } = await fakeTransport();
      await produceN(transport, 6);
      expect(transport.capabilities.pipelinedAcks).toBe(true);
      const sub = await transport.subscribe(spec({ group: 'store' }));
      const records = await sub.fetch(6, 200);
      const consumer = fake.consumers[0];
      const before = consumer.commits.length;
      // each call resolves once the broker has its offset, as a sequential call would
      const first = sub.ack(records.slice(0, 2)).then(() => fake.commitsOf('store', 'readings')[0]);
      const second = sub.ack(records.slice(2, 4)).then(() => fake.commitsOf('store', 'readings')[0]);
      const third = sub.ack(records.slice(4, 6)).then(() => fake.commitsOf('store', 'readings')[0]);
      expect(await first).toBeGreaterThanOrEqual(2);
      expect(await second).toBeGreaterThanOrEqual(4);
      expect(await third).toBe(6);
      const offsets = consumer.commits.slice(before).map((c) => c[0].offset);
      expect(offsets).toEqual([...offsets].sort((x, y) => x - y)); // in order
      expect(offsets.length).toBeLessThanOrEqual(3); // planned offsets coalesce while a commit is in flight
      await transport.close();
    });

    it('does not keep acknowledged records alive while their commit is in flight', async () => {
      const { fake, transport } = await fakeTransport();
      await produceN(transport, 3);
      const sub = await transport.subscribe(spec({ group: 'store' }));
      let records: IncomingRecord[] | undefined = await sub.fetch(3, 200);
      const consumer = fake.consumers[0];
      const answers: Array<() => void> = [];
      const commit = jest
        .spyOn(consumer, 'commit')
        .mockImplementation(() => new Promise<void>((resolve) => answers.push(resolve)));
      const released = records.map((record) => new WeakRef(record));
      const acked = sub.ack(records);
      records = undefined;
      await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target until the turn ends
      expect(answers).toHaveLength(1); // the commit is in flight
      collectGarbage();
      expect(released.map((ref) => ref.deref())).toEqual([undefined, undefined, undefined]);
      answers.shift()?.();
      await acked;
      expect(commit).toHaveBeenLastCalledWith([{ partition: 0, offset: 3 }]);
      commit.mockRestore();
      await transport.close();
    });

    it('commits one watermark per partition and a restarted group resumes right after it', async () => {
      const { fake, transport } = await fakeTransport({ partitions: 2 });
      await produceN(transport, 6, 0, (i) => (i % 2 ? 'a' : 'b'));
      const sub = await transport.subscribe(spec({ group: 'store' }));
      const records = await sub.fetch(6, 200);
      expect(new Set(records.map((r) => r.partition))).toEqual(new Set([0, 1]));
      await sub.ack(records);
      const expected = Object.fromEntries(
        [0, 1].map((p) => [
          p,
          Math.max(...records.filter((r) => r.partition === p).map((r) => r.sequence)) + 1,
        ]),
      );
      expect(fake.commitsOf('store', 'readings')).toEqual(expected);
      await sub.close();
      await produceN(transport, 2, 100, () => 'a');
      const again = await transport.subscribe(spec({ group: 'store', start: Offset.BEGIN }));
      expect(values(await again.fetch(10, 100))).toEqual([100, 101]);
      await transport.close();
    });

    it('never commits for a private subscription, and forgets its throwaway group on close', async () => {
      const { fake, transport } = await fakeTransport();
      await produceN(transport, 2);
      const sub = await transport.subscribe(spec());
      await sub.ack(await sub.fetch(2, 100));
      const consumer = fake.consumers[0];
      expect(consumer.commits).toEqual([]);
      expect(consumer.settings.groupId).toMatch(/^test-client\.private\./);
      await sub.close();
      expect(fake.deletedGroups).toEqual([consumer.settings.groupId]);
      expect(consumer.stopped).toBe(true);
      await transport.close();
    });

    it('keeps a commit refused during a rebalance and sends it after the rejoin', async () => {
      const { fake, transport, logger } = await fakeTransport();
      await produceN(transport, 3);
      const sub = await transport.subscribe(spec({ group: 'store' }));
      const records = await sub.fetch(3, 100);
      const rebalance = Object.assign(
        new ConsumerError('Kafka is unavailable (committing): rebalancing'),
        {},
      );
      fake.commitFailures.push(rebalance);
      await sub.ack(records);
      expect(fake.commitsOf('store', 'readings')).toEqual({ 0: 0 }); // only the start position
      expect(logger.lines.some((l) => l.level === 'debug' && /deferred/.test(l.message))).toBe(true);
      fake.consumers[0].assign([0]);
      await settle();
      expect(fake.commitsOf('store', 'readings')).toEqual({ 0: 3 });
      await transport.close();
    });

    it('rejects an acknowledgement whose commit fails permanently', async () => {
      const { fake, transport } = await fakeTransport();
      await produceN(transport, 1);
      const sub = await transport.subscribe(spec({ group: 'store' }));
      const records = await sub.fetch(1, 100);
      fake.commitFailures.push(
        new AuthenticationError('Kafka refused access (committing): GROUP_AUTHORIZATION_FAILED'),
      );
      await expect(sub.ack(records)).rejects.toBeInstanceOf(AuthenticationError);
      await transport.close();
    });

    it('does not support nack: the runtime redelivers locally', async () => {
      const { transport } = await fakeTransport();
      const sub = await transport.subscribe(spec());
      await expect(sub.nack({} as IncomingRecord, 0)).rejects.toBeInstanceOf(UnsupportedFeatureError);
      await expect(sub.nack({} as IncomingRecord, 0)).rejects.toThrow(
        'The kafka transport does not support nack: a committed offset covers every earlier record',
      );
      expect(transport.capabilities).toMatchObject({ ackMode: 'position', nack: false, seekByTime: true });
      await transport.close();
    });
  });

  describe('backpressure (bounded queue, pause/resume)', () => {
    it('holds at most prefetch unacknowledged records, pauses, resumes at half and loses nothing', async () => {
      const { fake, transport } = await fakeTransport();
      await produceN(transport, 10);
      const sub = (await transport.subscribe(spec({ group: 'g', prefetch: 4 }))) as KafkaSubscription;
      await settle();
      const consumer = fake.consumers[0];
      expect(consumer.paused).toBe(true);
      expect(consumer.positions.get(0)).toBe(4); // only the 4 taken records were resolved
      const first = await sub.fetch(4, 0);
      expect(first.map((r) => r.sequence)).toEqual([0, 1, 2, 3]);
      expect(await sub.fetch(4, 30)).toEqual([]); // 4 handed out, none acknowledged: nothing more
      expect(sub.held).toBe(4);
      await sub.ack(first.slice(0, 1));
      expect(consumer.paused).toBe(true); // 3 held > 2
      await sub.ack(first.slice(1, 2));
      expect(consumer.resumeCalls).toBe(1); // 2 held: resumed
      await settle();
      const seen = [...first];
      for (let i = 0; i < 20 && seen.length < 10; i++) {
        const got = await sub.fetch(2, 50);
        seen.push(...got);
        await sub.ack(seen.slice(0, seen.length - 1));
        expect(sub.held).toBeLessThanOrEqual(4);
      }
      expect(seen.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(consumer.pauseCalls).toBeGreaterThanOrEqual(2);
      await transport.close();
    });

    it('lets a driver wait for room inside a batch, skips what it took when offered again, and pauses only when none comes in time', async () => {
      const { fake, transport } = await fakeTransport();
      fake.autoPump = false;
      await produceN(transport, 10);
      const sub = (await transport.subscribe(spec({ group: 'g', prefetch: 4 }))) as KafkaSubscription;
      const consumer = fake.consumers[0];
      const records = fake.log('readings')[0];
      const outcome = sub.onBatch({ partition: 0, records, reader: fakeKafkaRecords, isStale: () => false });
      expect(outcome).toEqual({ nextOffset: 4, full: true });
      expect(consumer.paused).toBe(false); // not yet: the driver may wait for room first
      const waiting = sub.waitForRoom(5_000);
      const taken = await sub.fetch(4, 0);
      await sub.ack(taken.slice(0, 2)); // 2 held: room again
      await expect(waiting).resolves.toBe(true);
      expect(consumer.paused).toBe(false);
      // the same batch again: records 0-3 were taken, 4 and 5 fit
      expect(sub.onBatch({ partition: 0, records, reader: fakeKafkaRecords, isStale: () => false })).toEqual({
        nextOffset: 6,
        full: true,
      });
      await expect(sub.waitForRoom(20)).resolves.toBe(false); // nobody acknowledges: paused
      expect(consumer.paused).toBe(true);
      expect((await sub.fetch(10, 0)).map((r) => r.sequence)).toEqual([4, 5]);
      await sub.close();
      await expect(sub.waitForRoom(5_000)).resolves.toBe(false);
      await transport.close();
    });

    it('a fetch waiting for records is woken by new ones and returns at max', async () => {
      const { transport } = await fakeTransport();
      const sub = await transport.subscribe(spec({ start: Offset.LATEST }));
      const pending = sub.fetch(2, 5_000);
      await produceN(transport, 3);
      expect(values(await pending)).toEqual([0, 1]);
      expect(values(await sub.fetch(5, 20))).toEqual([2]);
      await transport.close();
    });

    it('a fetch resolves with what there is after maxWaitMs, or at once when aborted', async () => {
      const { transport } = await fakeTransport();
      const sub = await transport.subscribe(spec());
      expect(await sub.fetch(5, 20)).toEqual([]);
      const abort = new AbortController();
      const pending = sub.fetch(5, 60_000, abort.signal);
      abort.abort();
      expect(await pending).toEqual([]);
      await transport.close();
    });
  });

  describe('rebalances', () => {
    it('drops queued records of revoked partitions, ignores their late acks, and keeps fetching', async () => {
      const { fake, transport } = await fakeTransport({ partitions: 2 });
      await produceN(transport, 8, 0, (i) => (i % 2 ? 'a' : 'b'));
      const sub = await transport.subscribe(spec({ group: 'store', prefetch: 100 }));
      await settle();
      const first = await sub.fetch(1, 100);
      const consumer = fake.consumers[0];
      const revoked = first[0].partition === 0 ? 1 : 0;
      const kept = 1 - revoked;
      // a record of the partition about to be revoked is in the handlers' hands
      const inHand = (await sub.fetch(100, 100)).filter((r) => r.partition === revoked);
      await produceN(transport, 4, 100, (i) => (i % 2 ? 'a' : 'b'));
      await settle();
      const startCommit = fake.commitsOf('store', 'readings')[revoked];
      consumer.assign([kept]);
      await settle();
      const after = await sub.fetch(100, 100);
      expect(after.every((r) => r.partition === kept)).toBe(true);
      await sub.ack(inHand);
      expect(fake.commitsOf('store', 'readings')[revoked]).toBe(startCommit);
      await produceN(transport, 4, 200, (i) => (i % 2 ? 'a' : 'b'));
      const more = await sub.fetch(100, 100);
      expect(more.length).toBeGreaterThan(0);
      expect(more.every((r) => r.partition === kept)).toBe(true);
      await transport.close();
    });

    it('continues a retained partition where it was, not from the committed offset', async () => {
      const { fake, transport } = await fakeTransport();
      await produceN(transport, 5);
      const sub = await transport.subscribe(spec({ group: 'store' }));
      const firstTwo = await sub.fetch(2, 100);
      await sub.ack(firstTwo); // committed 2, queue holds 2..4
      const consumer = fake.consumers[0];
      consumer.assign([0]); // the client resets to the committed offset (2)
      await settle();
      expect(consumer.seeks.at(-1)).toEqual({ partition: 0, offset: 5 });
      expect((await sub.fetch(10, 50)).map((r) => r.sequence)).toEqual([2, 3, 4]);
      await transport.close();
    });

    it('ignores a batch made stale by a seek', async () => {
      const { fake, transport } = await fakeTransport();
      fake.autoPump = false;
      await produceN(transport, 3);
      const sub = await transport.subscribe(spec());
      const consumer = fake.consumers[0] as FakeConsumer;
      consumer.staleOnce.add(0);
      fake.pump();
      expect(await sub.fetch(5, 0)).toEqual([]);
      fake.pump();
      expect((await sub.fetch(5, 0)).length).toBe(3);
      await transport.close();
    });
  });

  describe('seek', () => {
    it('moves every held partition, drops queued records, commits the target and ignores older acks', async () => {
      const { fake, transport } = await fakeTransport();
      await produceN(transport, 6);
      const sub = await transport.subscribe(spec({ group: 'store' }));
      const before = await sub.fetch(4, 100);
      await sub.seek(Offset.sequence(1));
      expect(fake.commitsOf('store', 'readings')).toEqual({ 0: 1 });
      await sub.ack(before); // delivered before the seek: not committed
      expect(fake.commitsOf('store', 'readings')).toEqual({ 0: 1 });
      const after = await sub.fetch(10, 100);
      expect(after.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
      expect(after[0].redelivered).toBe(true);
      expect(after.at(-1)?.redelivered).toBe(false);
      await sub.seek(Offset.time(new Date(Date.now() + 60_000)));
      expect(fake.commitsOf('store', 'readings')).toEqual({ 0: 6 });
      await sub.seek(Offset.BEGIN);
      expect((await sub.fetch(1, 100))[0].sequence).toBe(0);
      await transport.close();
    });

    it('fails after close', async () => {
      const { transport } = await fakeTransport();
      const sub = await transport.subscribe(spec());
      await sub.close();
      await sub.close();
      await expect(sub.seek(Offset.BEGIN)).rejects.toBeInstanceOf(SubscriptionClosedError);
      await expect(sub.fetch(1, 0)).rejects.toBeInstanceOf(SubscriptionClosedError);
      await transport.close();
    });
  });

  describe('start positions', () => {
    const subscriptionOn = (membership: KafkaMembership) => {
      const deleted: string[] = [];
      const seeks: Array<[number, number]> = [];
      const consumer: KafkaDriverConsumer = {
        start: async () => undefined,
        seek: (partition, offset) => void seeks.push([partition, offset]),
        pause: () => undefined,
        resume: () => undefined,
        commit: async () => undefined,
        stop: async () => undefined,
      };
      const sub = new KafkaSubscription({
        driver: { deleteGroup: async (id: string) => void deleted.push(id) } as unknown as KafkaDriver,
        consumer,
        spec: spec({ start: Offset.sequence(5) }),
        groupId: 'test-client.private.x',
        membership,
        startPositions: new Map([
          [0, 5],
          [1, 5],
        ]),
        delivered: new Map(),
        logger: recordingLogger(),
        onClose: () => undefined,
      });
      return { sub, seeks, deleted };
    };

    it('start a partition a group-less reader hands over later (its first metadata lacked it) there; retained ones go on', () => {
      const { sub, seeks } = subscriptionOn('none');
      sub.onAssignment([0]);
      sub.onAssignment([0, 1]);
      expect(seeks).toEqual([
        [0, 5],
        [1, 5],
      ]);
    });

    it('apply to the first assignment only for a group member (later partitions resume from the group)', () => {
      const { sub, seeks } = subscriptionOn('throwaway');
      sub.onAssignment([0]);
      sub.onAssignment([0, 1]);
      expect(seeks).toEqual([
        [0, 5],
        [0, 5], // a retained partition continues where it was
      ]);
    });

    it.each([
      ['throwaway', ['test-client.private.x']],
      ['none', []],
      ['durable', []],
    ] as Array<[KafkaMembership, string[]]>)(
      'closing a subscription of %s membership deletes the groups %j',
      async (membership, expected) => {
        const { sub, deleted } = subscriptionOn(membership);
        await sub.close();
        expect(deleted).toEqual(expected);
      },
    );
  });

  describe('a lost consumer', () => {
    it('makes fetch reject with the ConsumerError (the runtime re-subscribes), also a waiting fetch', async () => {
      const { fake, transport } = await fakeTransport();
      const sub = await transport.subscribe(spec({ group: 'store' }));
      const waiting = sub.fetch(1, 60_000);
      fake.consumers[0].crash(new ConsumerError('Kafka is unavailable (consuming): connection refused'));
      await expect(waiting).rejects.toBeInstanceOf(ConsumerError);
      await expect(sub.fetch(1, 0)).rejects.toBeInstanceOf(ConsumerError);
      await transport.close();
    });

    it('surfaces a permanent failure as is', async () => {
      const { fake, transport } = await fakeTransport();
      const sub = await transport.subscribe(spec({ group: 'store' }));
      fake.consumers[0].crash(new AuthenticationError('refused'));
      await expect(sub.fetch(1, 0)).rejects.toBeInstanceOf(AuthenticationError);
      await transport.close();
    });
  });
});
