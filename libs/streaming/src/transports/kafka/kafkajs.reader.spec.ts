import { Kafka, logLevel } from 'kafkajs';
import { AuthenticationError, TemporaryError } from '@databus/common';
import {
  KafkaBatchOutcome,
  KafkaConsumerHandlers,
  KafkaDriverBatch,
  KafkaReaderSettings,
} from './kafka-driver.interface';
import {
  KafkajsBroker,
  KafkajsCluster,
  kafkajsInternals,
  KafkajsPartitionData,
  KafkajsReader,
  READER_FETCH_ATTEMPTS,
  warmUp,
} from './kafkajs.reader';

const TOPIC = 'readings';
const internals = kafkajsInternals(
  new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING, retry: { retries: 0 } }),
);
// kafkajs' own Batch (the filtering of the fetch answer is kafkajs'), from the pinned kafkajs.
const Batch = internals!.Batch;

type FetchRequest = Parameters<KafkajsBroker['fetch']>[0];
type FetchAnswer = (
  nodeId: string,
  partitions: Array<{ partition: number; fetchOffset: string }>,
) => KafkajsPartitionData[] | Promise<KafkajsPartitionData[]>;

function message(offset: number): KafkajsPartitionData['messages'][number] {
  return {
    offset: String(offset),
    key: null,
    value: Buffer.from(`{"i":${offset}}`),
    headers: {},
    timestamp: '1700000000000',
    attributes: 0,
    isControlRecord: false,
  } as unknown as KafkajsPartitionData['messages'][number];
}

/** A partition's answer with the records `from`..`to` - 1. */
function records(partition: number, from: number, to: number): KafkajsPartitionData {
  const messages = [];
  for (let o = from; o < to; o++) messages.push(message(o));
  return { partition, highWatermark: String(to), messages, abortedTransactions: [] };
}

/** A cluster double: partition leaders that tests move, fetch answers that tests script, calls recorded. */
function fakeCluster(
  leaders: Record<number, number>,
  answer: FetchAnswer,
  { primed = false }: { primed?: boolean } = {},
) {
  const fetches: Array<{ nodeId: string; partitions: Array<{ partition: number; fetchOffset: string }> }> =
    [];
  const listOffsets: Array<{ partitions: number[]; fromBeginning: boolean }> = [];
  const state = {
    leaders: { ...leaders },
    refreshes: 0,
    disconnected: false,
    earliest: 0,
    latest: 0,
    /** The leaders the cluster's metadata holds (a copy of `leaders` at the last load; null: none loaded). */
    known: primed ? { ...leaders } : (null as Record<number, number> | null),
    /** Metadata requests made (adding the topic, refreshes). */
    metadataRequests: 0,
    /** Whether `refreshMetadataIfNecessary` finds the metadata older than kafkajs' `metadataMaxAge`. */
    expired: !primed,
  };
  const load = (): void => {
    state.known = { ...state.leaders };
    state.metadataRequests++;
  };
  const cluster: KafkajsCluster = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => {
      state.disconnected = true;
    }),
    // kafkajs asks for the metadata only for a topic it does not target yet.
    addTargetTopic: jest.fn(async () => {
      if (state.known === null) load();
    }),
    addMultipleTargetTopics: jest.fn(async () => load()),
    refreshMetadata: jest.fn(async () => {
      state.refreshes++;
      load();
    }),
    refreshMetadataIfNecessary: jest.fn(async () => {
      if (state.expired) load();
    }),
    getNodeIds: () => [...new Set(Object.values(state.leaders))],
    findTopicPartitionMetadata: () => {
      if (state.known === null) throw new Error('Topic metadata not loaded');
      return Object.entries(state.known).map(([id, leader]) => ({ partitionId: Number(id), leader }));
    },
    findBroker: jest.fn(async ({ nodeId }: { nodeId: string }) => ({
      fetch: async (request: FetchRequest) => {
        const partitions = request.topics[0].partitions.map((p) => ({
          partition: p.partition,
          fetchOffset: p.fetchOffset,
        }));
        fetches.push({ nodeId, partitions });
        const answered = await answer(nodeId, partitions);
        return { responses: [{ topicName: TOPIC, partitions: answered }] };
      },
    })),
    removeBroker: jest.fn(),
    fetchTopicsOffset: jest.fn(async (topics) => {
      const { partitions, fromBeginning } = topics[0];
      listOffsets.push({ partitions: partitions.map((p) => p.partition), fromBeginning });
      const offset = String(fromBeginning ? state.earliest : state.latest);
      return [{ topic: TOPIC, partitions: partitions.map((p) => ({ partition: p.partition, offset })) }];
    }),
  };
  return { cluster, fetches, listOffsets, state };
}

/** Handlers that take every record (or what `take` says), recording batches, assignments and crashes. */
function recordingHandlers(
  take: (batch: KafkaDriverBatch) => KafkaBatchOutcome = (b) => ({
    nextOffset: b.reader.offset(b.records[b.records.length - 1]) + 1,
  }),
) {
  const seen: Array<{ partition: number; offsets: number[] }> = [];
  const assignments: number[][] = [];
  const crashes: Error[] = [];
  const handlers: KafkaConsumerHandlers = {
    onBatch: (batch) => {
      seen.push({ partition: batch.partition, offsets: batch.records.map((r) => batch.reader.offset(r)) });
      return take(batch);
    },
    waitForRoom: async () => false,
    onAssignment: (partitions) => assignments.push(partitions),
    onCrash: (error) => crashes.push(error),
  };
  return { handlers, seen, assignments, crashes };
}

const settings = (over: Partial<KafkaReaderSettings> = {}): KafkaReaderSettings => ({
  topic: TOPIC,
  fromBeginning: true,
  joinTimeoutMs: 1000,
  maxWaitTimeMs: 5,
  reconnect: { initialMs: 1, maxMs: 2 },
  ...over,
});

/** An answer that gives nothing (after a short wait, as a broker's long poll would). */
const idle = async (): Promise<KafkajsPartitionData[]> => {
  await new Promise((r) => setTimeout(r, 2));
  return [];
};

async function until(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const protocolError = (type: string, retriable = true): Error =>
  Object.assign(new Error(`broker says ${type}`), { name: 'KafkaJSProtocolError', type, retriable });

describe('KafkajsReader (a group-less reader of every partition)', () => {
  const readers: KafkajsReader[] = [];
  afterEach(async () => {
    await Promise.all(readers.splice(0).map((r) => r.stop()));
  });
  const reader = (cluster: KafkajsCluster, over?: Partial<KafkaReaderSettings>): KafkajsReader => {
    const r = new KafkajsReader(cluster, Batch, settings(over));
    readers.push(r);
    return r;
  };

  it('finds the internals it needs in the pinned kafkajs (a kafkajs upgrade without them fails here)', () => {
    expect(internals).toBeDefined();
    const cluster = internals!.createCluster() as unknown as Record<string, unknown>;
    for (const method of [
      'connect',
      'disconnect',
      'addTargetTopic',
      'addMultipleTargetTopics',
      'refreshMetadata',
      'refreshMetadataIfNecessary',
      'getNodeIds',
      'findTopicPartitionMetadata',
      'findBroker',
      'removeBroker',
      'fetchTopicsOffset',
    ])
      expect(typeof cluster[method]).toBe('function');
  });

  it("gives its clusters kafkajs' consumer metadata max age (the Cluster's own default, 0, refreshes before every fetch)", () => {
    let options: Record<string, unknown> | undefined;
    const kafka = {
      [Symbol('private:Kafka:createCluster')]: (o: Record<string, unknown>) => (options = o),
    } as unknown as Kafka;
    kafkajsInternals(kafka)!.createCluster();
    expect(options).toEqual(expect.objectContaining({ metadataMaxAge: 300_000 }));
  });

  it('hands every partition over at start and reads BEGIN from offset 0 without an offsets look-up', async () => {
    const { cluster, fetches, listOffsets } = fakeCluster({ 0: 1, 1: 1 }, (_node, asked) =>
      asked.some((p) => p.fetchOffset === '0') ? asked.map((p) => records(p.partition, 0, 2)) : idle(),
    );
    const { handlers, seen, assignments } = recordingHandlers();
    await reader(cluster).start(handlers);
    expect(assignments).toEqual([[0, 1]]);
    await until(() => seen.length === 2, 'both partitions');
    expect(listOffsets).toEqual([]);
    expect(fetches[0]).toEqual({
      nodeId: '1',
      partitions: expect.arrayContaining([
        { partition: 0, fetchOffset: '0' },
        { partition: 1, fetchOffset: '0' },
      ]),
    });
    await until(() => fetches.length >= 2, 'the next fetch');
    expect(fetches[1].partitions).toEqual(
      expect.arrayContaining([
        { partition: 0, fetchOffset: '2' },
        { partition: 1, fetchOffset: '2' },
      ]),
    );
  });

  it('starts LATEST at the looked-up high watermark, and a seek made at the assignment wins over it', async () => {
    const { cluster, fetches, listOffsets, state } = fakeCluster({ 0: 1, 1: 1 }, idle);
    state.latest = 7;
    const { handlers } = recordingHandlers();
    const r = reader(cluster, { fromBeginning: false });
    const assigned = handlers.onAssignment;
    handlers.onAssignment = (partitions) => {
      assigned(partitions);
      r.seek(1, 3);
    };
    await r.start(handlers);
    expect(listOffsets).toEqual([{ partitions: [0], fromBeginning: false }]);
    await until(() => fetches.length > 0, 'a fetch');
    expect(fetches[0].partitions).toEqual(
      expect.arrayContaining([
        { partition: 0, fetchOffset: '7' },
        { partition: 1, fetchOffset: '3' },
      ]),
    );
  });

  it('restarts a partition whose offset is out of range at its oldest stored record', async () => {
    const { cluster, fetches, listOffsets, state } = fakeCluster({ 0: 1 }, (_node, asked) => {
      if (asked[0].fetchOffset === '0')
        throw Object.assign(protocolError('OFFSET_OUT_OF_RANGE', false), {
          name: 'KafkaJSOffsetOutOfRange',
          topic: TOPIC,
          partition: 0,
        });
      return asked[0].fetchOffset === '40' ? [records(0, 40, 41)] : idle();
    });
    state.earliest = 40;
    const { handlers, seen, crashes } = recordingHandlers();
    await reader(cluster).start(handlers);
    await until(() => seen.length === 1, 'the oldest record');
    expect(seen[0]).toEqual({ partition: 0, offsets: [40] });
    expect(listOffsets).toEqual([{ partitions: [0], fromBeginning: true }]);
    expect(fetches.map((f) => f.partitions[0].fetchOffset).slice(0, 2)).toEqual(['0', '40']);
    expect(crashes).toEqual([]);
  });

  it('follows a moved leader: refreshes the metadata and fetches the partition from the new leader', async () => {
    let moved = false;
    const { cluster, fetches, state } = fakeCluster({ 0: 1 }, (node, asked) => {
      if (node === '1') {
        state.leaders[0] = 2; // the broker answers once the election moved the partition
        moved = true;
        throw protocolError('NOT_LEADER_FOR_PARTITION');
      }
      return asked[0].fetchOffset === '0' ? [records(0, 0, 1)] : idle();
    });
    const { handlers, seen, crashes } = recordingHandlers();
    await reader(cluster).start(handlers);
    await until(() => seen.length === 1, 'the record from the new leader');
    expect(moved).toBe(true);
    expect(state.refreshes).toBeGreaterThanOrEqual(1);
    expect(fetches.filter((f) => f.nodeId === '1')).toHaveLength(1);
    expect(fetches.find((f) => f.nodeId === '2')?.partitions).toEqual([{ partition: 0, fetchOffset: '0' }]);
    expect(crashes).toEqual([]);
  });

  it(`reports a broker that stays away after ${READER_FETCH_ATTEMPTS} attempts as a temporary crash`, async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), {
      name: 'KafkaJSConnectionError',
      code: 'ECONNREFUSED',
    });
    const { cluster, fetches } = fakeCluster({ 0: 1 }, () => {
      throw refused;
    });
    const { handlers, crashes } = recordingHandlers();
    await reader(cluster).start(handlers);
    await until(() => crashes.length === 1, 'the crash');
    expect(fetches).toHaveLength(READER_FETCH_ATTEMPTS);
    expect(crashes[0]).toBeInstanceOf(TemporaryError);
    expect(crashes[0].message).toContain('ECONNREFUSED');
  });

  it('reports a refusal (no access to the topic) at once, without retrying it', async () => {
    const { cluster, fetches } = fakeCluster({ 0: 1 }, () => {
      throw protocolError('TOPIC_AUTHORIZATION_FAILED', false);
    });
    const { handlers, crashes } = recordingHandlers();
    await reader(cluster).start(handlers);
    await until(() => crashes.length === 1, 'the crash');
    expect(fetches).toHaveLength(1);
    expect(crashes[0]).toBeInstanceOf(AuthenticationError);
    expect(crashes[0].message).toContain('TOPIC_AUTHORIZATION_FAILED');
  });

  it('stops fetching while paused by a full queue, and goes on from the first record not taken on resume', async () => {
    const { cluster, fetches } = fakeCluster({ 0: 1 }, (_node, asked) => {
      const from = Number(asked[0].fetchOffset);
      return from < 10 ? [records(0, from, 10)] : idle();
    });
    const r = reader(cluster);
    const { handlers, seen } = recordingHandlers(() =>
      seen.length === 1 ? { nextOffset: 4, full: true } : { nextOffset: 10 },
    );
    handlers.waitForRoom = async () => {
      r.pause(); // what the subscription does when no room came
      return false;
    };
    await r.start(handlers);
    await until(() => seen.length === 1, 'the first batch');
    const fetchesWhenPaused = fetches.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetches).toHaveLength(fetchesWhenPaused);
    r.resume();
    await until(() => seen.length === 2, 'the rest after resume');
    expect(seen[1]).toEqual({ partition: 0, offsets: [4, 5, 6, 7, 8, 9] });
  });

  it('drops the answer of a fetch made before a seek, and fetches from the seek target', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { cluster, fetches } = fakeCluster({ 0: 1 }, async (_node, asked) => {
      if (asked[0].fetchOffset === '0') {
        await held;
        return [records(0, 0, 3)];
      }
      return asked[0].fetchOffset === '20' ? [records(0, 20, 21)] : idle();
    });
    const { handlers, seen } = recordingHandlers();
    const r = reader(cluster);
    await r.start(handlers);
    await until(() => fetches.length === 1, 'the first fetch');
    r.seek(0, 20);
    release();
    await until(() => seen.length === 1, 'the record at the seek target');
    expect(seen).toEqual([{ partition: 0, offsets: [20] }]);
  });

  it.each([
    ['on a leader it does not read from yet', 2],
    ['on a leader it already reads from', 1],
  ])(
    'picks up a partition added to the topic %s as a new assignment, read from its start',
    async (_, leader) => {
      const { cluster, fetches, state } = fakeCluster({ 0: 1 }, (_node, asked) =>
        asked.some((p) => p.partition === 1 && p.fetchOffset === '0') ? [records(1, 0, 1)] : idle(),
      );
      const { handlers, seen, assignments } = recordingHandlers();
      await reader(cluster).start(handlers);
      await until(() => fetches.length > 0, 'a fetch');
      state.leaders[1] = leader;
      await until(() => seen.length === 1, 'the new partition');
      expect(assignments).toEqual([[0], [0, 1]]);
      expect(seen[0]).toEqual({ partition: 1, offsets: [0] });
    },
  );

  it('starts on the metadata of a warmed-up cluster without asking for it, and refreshes it after the first fetch', async () => {
    const { cluster, fetches, state } = fakeCluster(
      { 0: 1 },
      (_node, asked) =>
        asked.some((p) => p.fetchOffset === '0')
          ? asked.filter((p) => p.fetchOffset === '0').map((p) => records(p.partition, 0, 1))
          : idle(),
      { primed: true },
    );
    // A partition was added after the warm-up: the primed metadata does not have it yet.
    state.leaders[1] = 1;
    const { handlers, seen, assignments } = recordingHandlers();
    let firstFetched = 0;
    const r = new KafkajsReader(cluster, Batch, settings(), undefined, undefined, () => {
      firstFetched = state.metadataRequests;
    });
    readers.push(r);
    await r.start(handlers);
    expect(assignments).toEqual([[0]]);
    await until(() => seen.some((b) => b.partition === 1), 'the partition added since the warm-up');
    expect(firstFetched).toBe(0); // the first fetch went out on the primed metadata
    expect(fetches[0].partitions).toEqual([{ partition: 0, fetchOffset: '0' }]);
    expect(state.refreshes).toBe(1);
    expect(assignments).toEqual([[0], [0, 1]]);
    expect(seen.find((b) => b.partition === 1)).toEqual({ partition: 1, offsets: [0] });
  });

  it('asks for the metadata of a topic the warm-up did not have, and refreshes nothing after the first fetch', async () => {
    const { cluster, fetches, state } = fakeCluster({ 0: 1 }, (_node, asked) =>
      asked[0].fetchOffset === '0' ? [records(0, 0, 1)] : idle(),
    );
    state.expired = false;
    const { handlers, seen } = recordingHandlers();
    await reader(cluster).start(handlers);
    await until(() => seen.length === 1 && fetches.length >= 2, 'the record and the next fetch');
    expect(state.metadataRequests).toBe(1);
    expect(state.refreshes).toBe(0);
  });

  it('stops promptly during a pending fetch: closes the connections, delivers nothing more', async () => {
    const { cluster, state } = fakeCluster({ 0: 1 }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return [records(0, 0, 1)];
    });
    const { handlers, seen, crashes } = recordingHandlers();
    const r = reader(cluster);
    await r.start(handlers);
    const started = Date.now();
    const stopping = r.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.disconnected).toBe(true);
    await stopping;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(seen).toEqual([]);
    expect(crashes).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('warms a cluster up with the metadata of the topics read before, or without them when one is gone', async () => {
    const { cluster, state } = fakeCluster({ 0: 1, 1: 2 }, idle);
    await warmUp(cluster, ['readings', 'other']);
    expect(cluster.addMultipleTargetTopics).toHaveBeenCalledWith(['readings', 'other']);
    expect(state.refreshes).toBe(0);
    expect((cluster.findBroker as jest.Mock).mock.calls.map(([b]) => b.nodeId).sort()).toEqual(['1', '2']);

    const gone = fakeCluster({ 0: 1 }, idle);
    (gone.cluster.addMultipleTargetTopics as jest.Mock).mockRejectedValueOnce(
      protocolError('UNKNOWN_TOPIC_OR_PARTITION'),
    );
    const onStale = jest.fn();
    await warmUp(gone.cluster, ['deleted'], onStale);
    expect(onStale).toHaveBeenCalledTimes(1);
    expect(gone.state.refreshes).toBe(1);

    const none = fakeCluster({ 0: 1 }, idle);
    await warmUp(none.cluster);
    expect(none.cluster.addMultipleTargetTopics).not.toHaveBeenCalled();
    expect(none.state.refreshes).toBe(1);
  });

  it("loads kafkajs' Fetch and ListOffsets code at the broker's versions while warming up, sending nothing", async () => {
    // kafkajs' own version lookup, as a broker offering Fetch v11 and ListOffsets v5 has it (kafkajs
    // implements ListOffsets up to v3).
    const { lookup } = jest.requireActual('kafkajs/src/protocol/requests') as {
      lookup: (versions: object) => (apiKey: number, definition: unknown) => (request: object) => unknown;
    };
    const kafkajsLookup = lookup({
      1: { minVersion: 0, maxVersion: 11 },
      2: { minVersion: 0, maxVersion: 5 },
    });
    const built: Array<{ apiName: string; apiVersion: number }> = [];
    const lookupRequest = jest.fn((apiKey: number, definition: unknown) => (request: object) => {
      const protocol = kafkajsLookup(apiKey, definition)(request) as {
        request: { apiName: string; apiVersion: number };
      };
      built.push({ apiName: protocol.request.apiName, apiVersion: protocol.request.apiVersion });
      return protocol;
    });
    const fetch = jest.fn();
    const { cluster } = fakeCluster({ 0: 1 }, idle);
    (cluster.findBroker as jest.Mock).mockResolvedValue({ fetch, lookupRequest });
    await warmUp(cluster);
    expect(built).toEqual([
      { apiName: 'Fetch', apiVersion: 11 },
      { apiName: 'ListOffsets', apiVersion: 3 },
    ]);
    expect(fetch).not.toHaveBeenCalled();
    // A broker without the lookup (another kafkajs), or one refusing an API, still warms up.
    (cluster.findBroker as jest.Mock).mockResolvedValue({ fetch });
    await expect(warmUp(cluster)).resolves.toBeUndefined();
    const refusing = jest.fn(() => {
      throw new Error('The Kafka server does not support the requested API version');
    });
    (cluster.findBroker as jest.Mock).mockResolvedValue({ fetch, lookupRequest: refusing });
    await expect(warmUp(cluster)).resolves.toBeUndefined();
    expect(refusing).toHaveBeenCalledTimes(1);
  });

  it('refuses to commit: a group-less reader has no group', async () => {
    const { cluster } = fakeCluster({ 0: 1 }, idle);
    const r = reader(cluster);
    await expect(r.commit([])).resolves.toBeUndefined();
    await expect(r.commit([{ partition: 0, offset: 1 }])).rejects.toThrow(
      /group-less reader of "readings" has no group to commit for/,
    );
  });
});
