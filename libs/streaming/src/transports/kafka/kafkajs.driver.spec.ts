import { Kafka, KafkaMessage } from 'kafkajs';
import { AuthenticationError, ConfigurationError, TemporaryError } from '@databus/common';
import {
  KafkaBatchOutcome,
  KafkaConsumerHandlers,
  KafkaConsumerSettings,
  KafkaDriverBatch,
  KafkaOutgoingMessage,
} from './kafka-driver.interface';
import { subscriptionRoundRobin } from './kafkajs.assigner';
import { kafkajsRecords, ROOM_WAIT_MS } from './kafkajs.consumer';
import { KafkajsDriver } from './kafkajs.driver';

jest.mock('kafkajs', () => ({ ...jest.requireActual('kafkajs'), Kafka: jest.fn() }));

type Listener = (event: { payload: unknown }) => void;

/** A stand-in for a kafkajs consumer that records calls; `join`/`crash` emit kafkajs events. */
function stubConsumer(onRun?: (self: ReturnType<typeof stubConsumer>) => void) {
  const listeners = new Map<string, Listener>();
  const self = {
    config: undefined as unknown as Record<string, unknown>,
    commitsDuringRun: 0,
    runConfig: undefined as unknown as Record<string, unknown> & { eachBatch: (p: unknown) => Promise<void> },
    consumer: {
      events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
      on: jest.fn((event: string, listener: Listener) => {
        listeners.set(event, listener);
        return () => undefined;
      }),
      connect: jest.fn(async () => undefined),
      subscribe: jest.fn(async () => undefined),
      run: jest.fn(async (config: never) => {
        self.runConfig = config;
        onRun?.(self);
        await new Promise((resolve) => setImmediate(resolve));
        self.commitsDuringRun = self.consumer.commitOffsets.mock.calls.length;
      }),
      seek: jest.fn(),
      pause: jest.fn(),
      resume: jest.fn(),
      commitOffsets: jest.fn(async () => undefined),
      disconnect: jest.fn(async () => undefined),
    },
    join: (assignment: Record<string, number[]>) =>
      listeners.get('consumer.group_join')?.({ payload: { memberAssignment: assignment } }),
    crash: (error: Error, restart = false) =>
      listeners.get('consumer.crash')?.({ payload: { error, restart } }),
  };
  return self;
}

/** The configuration of the last kafkajs producer a driver created. */
const producerConfigs: Array<Record<string, unknown>> = [];

function driverWith(
  consumer: ReturnType<typeof stubConsumer>,
  producer: Record<string, jest.Mock> = {},
  admin: Record<string, jest.Mock> = {},
  options: ConstructorParameters<typeof KafkajsDriver>[1] = { idempotent: false },
  brokers = ['b1:9092'],
) {
  (Kafka as unknown as jest.Mock).mockImplementation(() => ({
    consumer: (config: Record<string, unknown>) => ((consumer.config = config), consumer.consumer),
    producer: (config: Record<string, unknown>) => (
      (producerConfigs[0] = config),
      {
        connect: jest.fn(async () => undefined),
        disconnect: jest.fn(async () => undefined),
        ...producer,
      }
    ),
    admin: () => ({
      connect: jest.fn(async () => undefined),
      disconnect: jest.fn(async () => undefined),
      ...admin,
    }),
  }));
  return new KafkajsDriver({ brokers }, options);
}

const settings = (over: Partial<KafkaConsumerSettings> = {}): KafkaConsumerSettings => ({
  groupId: 'g',
  topic: 'readings',
  fromBeginning: true,
  joinTimeoutMs: 1000,
  ...over,
});

const handlers = (): jest.Mocked<KafkaConsumerHandlers> => ({
  onBatch: jest.fn((_batch: KafkaDriverBatch): KafkaBatchOutcome => ({})),
  onAssignment: jest.fn(),
  onCrash: jest.fn(),
  waitForRoom: jest.fn(async (_timeoutMs: number) => false),
});

describe('KafkajsDriver consumer', () => {
  it('runs without auto-commit or auto-resolve, never restarts by itself, and resolves after the first join', async () => {
    const stub = stubConsumer((s) => s.join({ readings: [0, 2] }));
    const h = handlers();
    await driverWith(stub).consumer(settings()).start(h);
    expect(stub.consumer.subscribe).toHaveBeenCalledWith({ topics: ['readings'], fromBeginning: true });
    expect(stub.runConfig).toMatchObject({ autoCommit: false, eachBatchAutoResolve: false });
    expect(stub.config).toMatchObject({
      groupId: 'g',
      maxWaitTimeInMs: 100,
      partitionAssigners: [subscriptionRoundRobin],
    });
    const retry = stub.config.retry as { restartOnFailure(): Promise<boolean> };
    await expect(retry.restartOnFailure()).resolves.toBe(false);
    expect(h.onAssignment).toHaveBeenCalledWith([0, 2]);
  });

  it('turns nextOffset into kafkajs resolveOffset(next - 1), and leaves the position alone otherwise', async () => {
    const stub = stubConsumer((s) => s.join({ readings: [0] }));
    const h = handlers();
    await driverWith(stub).consumer(settings()).start(h);
    const resolveOffset = jest.fn();
    const payload = (stale: boolean) => ({
      batch: {
        partition: 0,
        messages: [
          {
            offset: '41',
            key: Buffer.from('k'),
            value: Buffer.from('v'),
            timestamp: '1700000000000',
            headers: { a: Buffer.from('1'), b: ['x', Buffer.from('y')] },
          },
        ],
      },
      resolveOffset,
      isStale: () => stale,
      isRunning: () => true,
    });
    h.onBatch.mockReturnValueOnce({ nextOffset: 42 });
    const fetched = payload(false);
    await stub.runConfig.eachBatch(fetched);
    expect(resolveOffset).toHaveBeenCalledWith('41');
    const batch = h.onBatch.mock.calls[0][0] as KafkaDriverBatch<KafkaMessage>;
    expect(batch.records).toBe(fetched.batch.messages); // kafkajs' messages as they are, read through the reader
    expect(batch.reader).toBe(kafkajsRecords);
    expect(batch.records.map(seamFields)).toEqual([
      {
        offset: 41,
        key: Buffer.from('k'),
        value: Buffer.from('v'),
        timestamp: 1_700_000_000_000,
        headers: { a: '1', b: 'y' },
      },
    ]);
    expect(batch.isStale()).toBe(false);
    h.onBatch.mockReturnValueOnce({});
    await stub.runConfig.eachBatch(payload(true));
    expect(resolveOffset).toHaveBeenCalledTimes(1);
    expect(h.onBatch.mock.calls[1][0].isStale()).toBe(true);
  });

  it('waits inside the batch for room when the queue is full, then offers the batch again, heartbeating', async () => {
    const stub = stubConsumer((s) => s.join({ readings: [0] }));
    const h = handlers();
    await driverWith(stub).consumer(settings()).start(h);
    const resolveOffset = jest.fn();
    const heartbeat = jest.fn(async () => undefined);
    const message = (offset: number) => ({
      offset: String(offset),
      key: null,
      value: Buffer.from('v'),
      timestamp: '1',
      headers: {},
    });
    h.onBatch.mockReturnValueOnce({ nextOffset: 12, full: true }).mockReturnValueOnce({ nextOffset: 14 });
    h.waitForRoom.mockResolvedValueOnce(true);
    await stub.runConfig.eachBatch({
      batch: { partition: 0, messages: [10, 11, 12, 13].map(message) },
      resolveOffset,
      heartbeat,
      isStale: () => false,
      isRunning: () => true,
    });
    expect(h.waitForRoom).toHaveBeenCalledWith(ROOM_WAIT_MS);
    expect(heartbeat).toHaveBeenCalledTimes(1);
    // the same records again (the transport skips what it took); kafkajs' messages as they are
    const again = h.onBatch.mock.calls[1][0] as KafkaDriverBatch<KafkaMessage>;
    expect(again.records.map(seamFields).map((r) => r.offset)).toEqual([10, 11, 12, 13]);
    expect(h.onBatch.mock.calls[1][0].records).toBe(h.onBatch.mock.calls[0][0].records);
    expect(resolveOffset.mock.calls).toEqual([['11'], ['13']]);
    // no room within the wait: the transport paused; the rest is fetched again after resume
    h.onBatch.mockReturnValueOnce({ nextOffset: 11, full: true });
    await stub.runConfig.eachBatch({
      batch: { partition: 0, messages: [10, 11, 12].map(message) },
      resolveOffset,
      heartbeat,
      isStale: () => false,
      isRunning: () => true,
    });
    expect(h.onBatch).toHaveBeenCalledTimes(3);
    expect(resolveOffset).toHaveBeenLastCalledWith('10');
  });

  it('commits offsets exactly as given (the transport already added 1) and seeks with strings', async () => {
    const stub = stubConsumer((s) => s.join({ readings: [0] }));
    const consumer = driverWith(stub).consumer(settings());
    await consumer.start(handlers());
    await consumer.commit([{ partition: 0, offset: 42 }]);
    expect(stub.consumer.commitOffsets).toHaveBeenCalledWith([
      { topic: 'readings', partition: 0, offset: '42' },
    ]);
    consumer.seek(1, 7);
    expect(stub.consumer.seek).toHaveBeenCalledWith({ topic: 'readings', partition: 1, offset: '7' });
    consumer.pause();
    consumer.resume();
    expect(stub.consumer.pause).toHaveBeenCalledWith([{ topic: 'readings' }]);
    expect(stub.consumer.resume).toHaveBeenCalledWith([{ topic: 'readings' }]);
  });

  it('holds a commit made inside the first join until run() returned (kafkajs would drop it)', async () => {
    const stub = stubConsumer((s) => s.join({ readings: [0] }));
    const consumer = driverWith(stub).consumer(settings());
    const h = handlers();
    let pending: Promise<void> | undefined;
    h.onAssignment.mockImplementation(() => {
      pending = consumer.commit([{ partition: 0, offset: 5 }]);
    });
    await consumer.start(h);
    await pending;
    expect(stub.commitsDuringRun).toBe(0);
    expect(stub.consumer.commitOffsets).toHaveBeenCalledWith([
      { topic: 'readings', partition: 0, offset: '5' },
    ]);
  });

  it('fails start with the mapped error when the consumer crashes before joining, and stops it', async () => {
    const stub = stubConsumer((s) =>
      s.crash(
        Object.assign(new Error('SASL PLAIN authentication failed'), {
          name: 'KafkaJSSASLAuthenticationError',
        }),
      ),
    );
    await expect(driverWith(stub).consumer(settings()).start(handlers())).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    expect(stub.consumer.disconnect).toHaveBeenCalled();
  });

  it('fails start with a TemporaryError when no join happens within joinTimeoutMs', async () => {
    const stub = stubConsumer();
    await expect(
      driverWith(stub)
        .consumer(settings({ joinTimeoutMs: 20 }))
        .start(handlers()),
    ).rejects.toThrow(/No consumer group join within 20 ms/);
  });

  it('reports a crash after the join through onCrash, mapped to the databus hierarchy', async () => {
    const stub = stubConsumer((s) => s.join({ readings: [0] }));
    const h = handlers();
    await driverWith(stub).consumer(settings()).start(h);
    stub.crash(Object.assign(new Error('Connection error: ECONNRESET'), { name: 'KafkaJSConnectionError' }));
    expect(h.onCrash.mock.calls[0][0]).toBeInstanceOf(TemporaryError);
  });
});

describe('KafkajsDriver admin and producer', () => {
  it('produces with acks=all, the messages as given, and derives record offsets from the base offset of one partition', async () => {
    const send = jest.fn(async (_record: { messages: unknown[] }) => [
      { topicName: 't', partition: 2, errorCode: 0, baseOffset: '10' },
    ]);
    const driver = driverWith(stubConsumer(), { send });
    await driver.connect();
    // kafkajs only reads them and writes an absent key as a null key: no copy per record.
    const messages: KafkaOutgoingMessage[] = [
      { key: 'k', value: Buffer.from('a'), headers: { h: '1' } },
      { value: Buffer.from('b'), headers: {} },
    ];
    const acks = await driver.produce('t', messages);
    expect(send).toHaveBeenCalledWith({ topic: 't', acks: -1, messages });
    expect(send.mock.calls[0][0].messages).toBe(messages);
    expect(acks).toEqual([
      { partition: 2, offset: 10 },
      { partition: 2, offset: 11 },
    ]);
  });

  it("gives the plain producer no kafkajs retry (it loses a moved partition's records); the idempotent one keeps it", async () => {
    await driverWith(stubConsumer()).connect();
    expect(producerConfigs[0]).toMatchObject({ idempotent: false, retry: { retries: 0 } });
    await driverWith(stubConsumer(), {}, {}, { idempotent: true }).connect();
    expect(producerConfigs[0]).toMatchObject({ idempotent: true, maxInFlightRequests: 1 });
    expect(producerConfigs[0].retry).toBeUndefined();
  });

  it('reads committed offsets (-1 = none), ranges and offsets by timestamp as numbers', async () => {
    const admin = {
      fetchOffsets: jest.fn(async () => [
        {
          topic: 't',
          partitions: [
            { partition: 0, offset: '5' },
            { partition: 1, offset: '-1' },
          ],
        },
      ]),
      fetchTopicOffsets: jest.fn(async () => [{ partition: 0, offset: '9', high: '9', low: '2' }]),
      fetchTopicOffsetsByTimestamp: jest.fn(async () => [{ partition: 0, offset: '4' }]),
    };
    const driver = driverWith(stubConsumer(), {}, admin);
    await driver.connect();
    expect(await driver.committedOffsets('g', 't')).toEqual([{ partition: 0, offset: 5 }, { partition: 1 }]);
    expect(await driver.partitionRanges('t')).toEqual([{ partition: 0, low: 2, high: 9 }]);
    expect(await driver.offsetsForTime('t', 123)).toEqual([{ partition: 0, offset: 4 }]);
    expect(admin.fetchTopicOffsetsByTimestamp).toHaveBeenCalledWith('t', 123);
  });

  it('asks again while the group coordinator or a new partition leader is not ready, and gives up on other errors', async () => {
    const notReady = (type: string) => Object.assign(new Error(`not ready: ${type}`), { type });
    const fetchOffsets = jest
      .fn()
      .mockRejectedValueOnce(notReady('NOT_COORDINATOR_FOR_GROUP'))
      .mockRejectedValueOnce(notReady('GROUP_LOAD_IN_PROGRESS'))
      .mockResolvedValue([{ topic: 'readings', partitions: [{ partition: 0, offset: '7' }] }]);
    const fetchTopicOffsets = jest
      .fn()
      .mockRejectedValueOnce(notReady('NOT_LEADER_FOR_PARTITION'))
      .mockRejectedValueOnce(Object.assign(new Error('denied'), { type: 'TOPIC_AUTHORIZATION_FAILED' }));
    const driver = driverWith(stubConsumer(), {}, { fetchOffsets, fetchTopicOffsets });
    await driver.connect();
    await expect(driver.committedOffsets('g', 'readings')).resolves.toEqual([{ partition: 0, offset: 7 }]);
    expect(fetchOffsets).toHaveBeenCalledTimes(3);
    const refused = driver.partitionRanges('readings');
    await expect(refused).rejects.toBeInstanceOf(AuthenticationError);
    await expect(refused).rejects.toThrow(
      'Kafka refused access (admin request "readings"): TOPIC_AUTHORIZATION_FAILED',
    );
    expect(fetchTopicOffsets).toHaveBeenCalledTimes(2);
  });

  it('decodes a record without key, value or headers', () => {
    expect(
      seamFields({ offset: '0', key: null, value: null, timestamp: '5', attributes: 0, headers: {} }),
    ).toEqual({
      offset: 0,
      key: undefined,
      value: Buffer.alloc(0),
      headers: {},
      timestamp: 5,
    });
  });
});

describe('KafkajsDriver records', () => {
  it('decodes the headers of a message as they are when read, into a new object each time', () => {
    const headers = { a: Buffer.from('1') };
    const message = { offset: '7', key: null, value: null, timestamp: '5', attributes: 0, headers };
    headers.a = Buffer.from('2');
    const first = kafkajsRecords.headers(message);
    expect(first).toEqual({ a: '2' });
    expect(kafkajsRecords.headers(message)).not.toBe(first);
    expect(kafkajsRecords.offset(message)).toBe(7);
    expect(kafkajsRecords.timestamp(message)).toBe(5);
  });

  it('reads one header without decoding the others (the last value of a repeated one)', () => {
    let otherReads = 0;
    const headers = {
      'content-type': Buffer.from('application/json'),
      repeated: [Buffer.from('1'), Buffer.from('2')],
      get other() {
        otherReads++;
        return Buffer.from('o');
      },
    };
    const message = { offset: '7', key: null, value: null, timestamp: '5', attributes: 0, headers } as never;
    expect(kafkajsRecords.header(message, 'content-type')).toBe('application/json');
    expect(kafkajsRecords.header(message, 'repeated')).toBe('2');
    expect(kafkajsRecords.header(message, 'missing')).toBeUndefined();
    expect(kafkajsRecords.header(message, 'constructor')).toBeUndefined(); // own headers only, as `headers` has
    expect(otherReads).toBe(0);
    expect(kafkajsRecords.headers(message)).toEqual({
      'content-type': 'application/json',
      repeated: '2',
      other: 'o',
    });
    const bare = { offset: '7', key: null, value: null, timestamp: '5', attributes: 0 } as never;
    expect(kafkajsRecords.header(bare, 'content-type')).toBeUndefined();
    expect(kafkajsRecords.headers(bare)).toEqual({});
  });
});

/** A kafkajs message as the transport reads it through the driver's reader. */
function seamFields(message: KafkaMessage) {
  const r = kafkajsRecords;
  return {
    offset: r.offset(message),
    key: r.key(message),
    value: r.value(message),
    timestamp: r.timestamp(message),
    headers: r.headers(message),
  };
}

describe('KafkajsDriver topics on a cluster', () => {
  const cluster = (alive: number) => ({
    describeCluster: jest.fn(async () => ({
      brokers: Array.from({ length: alive }, (_, i) => ({ nodeId: i + 1 })),
    })),
    createTopics: jest.fn(async () => true),
  });

  it('creates topics with the replication factor and min.insync.replicas asked for', async () => {
    const admin = cluster(3);
    const driver = driverWith(stubConsumer(), {}, admin, {
      idempotent: false,
      numPartitions: 3,
      replicationFactor: 3,
      minInsyncReplicas: 2,
    });
    await driver.connect();
    await driver.ensureTopic('readings');
    expect(admin.createTopics).toHaveBeenCalledWith({
      waitForLeaders: true,
      topics: [
        {
          topic: 'readings',
          numPartitions: 3,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    });
  });

  it('refuses at connect a replication factor above the cluster size, naming the option and the size', async () => {
    const driver = driverWith(stubConsumer(), {}, cluster(1), { idempotent: false, replicationFactor: 3 });
    const error = await driver.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('transportOptions.replicationFactor');
    expect((error as Error).message).toContain('at most 1 (the Kafka cluster has 1 broker(s) up');
  });

  it('counts the URL hosts as the size while a broker is down at connect', async () => {
    const admin = cluster(2);
    const driver = driverWith(stubConsumer(), {}, admin, { idempotent: false, replicationFactor: 3 }, [
      'b1:9092',
      'b2:9092',
      'b3:9092',
    ]);
    await expect(driver.connect()).resolves.toBeUndefined();
    expect(admin.describeCluster).toHaveBeenCalledTimes(1);
  });
});

describe('KafkajsDriver consumers of one group on several topics', () => {
  /** kafkajs' own OffsetManager (2.2.4): a member builds one at every join, on its client's committed offsets. */
  interface OffsetManager {
    resolveOffsets(): Promise<void>;
  }
  const RealOffsetManager = jest.requireActual<new (options: Record<string, unknown>) => OffsetManager>(
    'kafkajs/src/consumer/offsetManager',
  );

  it("keeps one member's join from erasing the committed offsets of another member's topic (no crash in resolveOffsets)", async () => {
    // A kafkajs client as 2.2.4 builds it: one committed-offsets table per group id (`Kafka`'s offsets Map),
    // shared by every consumer the client creates; `join(topic)` is that consumer's group join.
    const joins: Array<(topic: string) => OffsetManager> = [];
    (Kafka as unknown as jest.Mock).mockImplementation(() => {
      const offsets = new Map<string, object>();
      const cluster = {
        committedOffsets: ({ groupId }: { groupId: string }) => {
          if (!offsets.has(groupId)) offsets.set(groupId, {});
          return offsets.get(groupId);
        },
      };
      return {
        consumer: ({ groupId }: { groupId: string }) => {
          joins.push(
            (topic) =>
              new RealOffsetManager({
                cluster,
                coordinator: {
                  isConnected: () => true,
                  offsetFetch: async () => ({
                    responses: [{ topic, partitions: [{ partition: 0, offset: '7' }] }],
                  }),
                },
                memberAssignment: { [topic]: [0] },
                autoCommit: false,
                topicConfigurations: {},
                groupId,
                generationId: 1,
                memberId: `member-${topic}`,
              }),
          );
          return stubConsumer().consumer;
        },
      };
    });
    const driver = new KafkajsDriver({ brokers: ['b1:9092'] }, { idempotent: false });
    driver.consumer(settings({ groupId: 'shared', topic: 'site.a.temp' }));
    driver.consumer(settings({ groupId: 'shared', topic: 'site.b.temp' }));
    const a = joins[0]('site.a.temp');
    await a.resolveOffsets(); // a's first fetch resolved its committed offsets
    joins[1]('site.b.temp'); // then the member of the other topic joins (a restart spreads the joins out)
    // kafkajs' next fetch of a resolves again: on a shared client, "Cannot read properties of undefined (reading '0')".
    await expect(a.resolveOffsets()).resolves.toBeUndefined();
  });
});
