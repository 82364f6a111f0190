import { waitFor } from '@databus/testing';
import { Offset } from '@databus/streaming';
import { dataset, startApp, TestApp } from '../conformance/harness';
import { Recorded, recordingHandler } from '../conformance/helpers';
import { reportFailover } from './failover-report';
import { KafkaCluster, startKafkaCluster } from './kafka-cluster';

const TOTAL = 2000;
const BATCH = 10;
const PREFETCH = 40;

/** How one failover run went. */
interface FailoverRun {
  case: string;
  killed: string;
  seen: Recorded[];
  acked: Set<number>;
  /** Records stored per partition (its high watermark) after the run. */
  stored: Map<number, number>;
  produceStallMs: number;
  consumeStallMs: number;
}

describe('Kafka cluster (3 KRaft nodes on loopback): replication and failover', () => {
  let kafka: KafkaCluster;
  beforeAll(async () => {
    kafka = await startKafkaCluster('kafka-failover', 3);
  });
  afterAll(async () => {
    await kafka?.close();
  });

  const transportOptions = {
    numPartitions: 3,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 },
  };
  const options = { produceTimeoutMs: 60_000, transportOptions };

  /** Leader, replicas and in-sync replicas of partition 0 of `topic`. */
  async function partitionOf(topic: string) {
    const admin = await kafka.admin();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const [p] = topics[0].partitions;
      return { leader: p.leader, replicas: p.replicas, isr: p.isr };
    } finally {
      await admin.disconnect();
    }
  }

  /** Records stored per partition of `topic` (offsets from 0: nothing is deleted here). */
  async function storedCount(topic: string): Promise<Map<number, number>> {
    const admin = await kafka.admin();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    } finally {
      await admin.disconnect();
    }
  }

  /** A group name whose coordinator is (or is not) node `id`. */
  async function groupCoordinatedBy(id: number, same: boolean): Promise<string> {
    // After a restart the node leads no offsets partition until its preferred leaderships come back.
    if (same) await kafka.waitForPreferredLeaders();
    for (let i = 0; i < 60; i++) {
      const group = dataset('g');
      if (((await kafka.coordinatorOf(group)) === id) === same) return group;
    }
    throw new Error(`no group name found whose coordinator is ${same ? '' : 'not '}node ${id}`);
  }

  /**
   * One app produces TOTAL numbered records (BATCH at a time, so each batch spans the 3 partitions, led by
   * the 3 nodes) to a topic with 3 replicas while a second app's group consumes them; once a quarter is
   * consumed, the leader of partition 0 is killed (with the
   * group's coordinator or not). Then waits for every record and restarts the node.
   */
  async function failover(name: string, withCoordinator: boolean): Promise<FailoverRun> {
    const ds = dataset('failover');
    const seen: Recorded[] = [];
    const consumedAt: number[] = [];
    const producedAt: number[] = [];
    const acked = new Set<number>();
    const target = { name: 'kafka', url: () => kafka.url() };
    const apps: TestApp[] = [];
    let killed = '';
    let stored = new Map<number, number>();
    try {
      const producer = await startApp(target, kafka.url(), { options });
      apps.push(producer);
      const produce = (i: number) =>
        producer.channel.produce(ds, { i }).then(() => {
          producedAt.push(Date.now());
          acked.add(i);
        });
      await produce(0); // creates the topic
      const before = await partitionOf(ds);
      const group = await groupCoordinatedBy(before.leader, withCoordinator);
      const consumer = await startApp(target, kafka.url(), {
        options,
        providers: [
          recordingHandler(ds, { group, batch: 20, prefetch: PREFETCH, offset: Offset.BEGIN }, seen, () => {
            consumedAt.push(Date.now());
          }),
        ],
      });
      apps.push(consumer);
      const producing = (async () => {
        for (let i = 1; i < TOTAL; i += BATCH) {
          await Promise.all(Array.from({ length: Math.min(BATCH, TOTAL - i) }, (_, k) => produce(i + k)));
          await new Promise((r) => setTimeout(r, 5)); // spread production over the failover
        }
      })();
      await waitFor(() => seen.length >= TOTAL / 4, { message: 'a quarter consumed', timeoutMs: 60_000 });
      killed = kafka.nameOf(before.leader);
      const killedAt = Date.now();
      await kafka.cluster.stop(killed);
      await producing;
      await waitFor(() => new Set(seen.map((r) => r.payload.i)).size >= TOTAL, {
        message: `all ${TOTAL} records after killing ${killed}`,
        timeoutMs: 60_000,
      }).catch(() => undefined); // what is missing is asserted (and named) by the caller
      const after = await partitionOf(ds);
      expect(after.leader).not.toBe(before.leader);
      expect(after.replicas).toHaveLength(3);
      stored = await storedCount(ds);
      const longestPause = (times: number[]) =>
        [killedAt, ...times.filter((t) => t > killedAt)].reduce(
          (max, t, i, all) => (i === 0 ? 0 : Math.max(max, t - all[i - 1])),
          0,
        );
      return {
        case: name,
        killed,
        seen,
        acked,
        stored,
        produceStallMs: longestPause(producedAt),
        consumeStallMs: longestPause(consumedAt),
      };
    } finally {
      for (const app of apps.reverse()) await app.close();
      if (killed) {
        await kafka.cluster.restart(killed);
        await kafka.waitForBrokers();
      }
    }
  }

  /**
   * 0 lost: every acknowledged record was handled, and every stored offset was delivered (no gap). Duplicates
   * within the in-flight window: offsets delivered again (the uncommitted window, flagged `redelivered`) at
   * most PREFETCH, and records stored twice (a produce batch in flight at the kill, retried) at most BATCH.
   */
  function expectNoLossAndBoundedDuplicates(run: FailoverRun): void {
    expect(run.acked.size).toBe(TOTAL);
    const handled = new Set(run.seen.map((r) => r.payload.i));
    expect([...run.acked].filter((i) => !handled.has(i))).toEqual([]);
    const where = (r: Recorded): string => `${r.message.partition}:${r.message.sequence}`;
    const offsets = new Set(run.seen.map(where));
    const gaps = [...run.stored].flatMap(([partition, high]) =>
      Array.from({ length: high }, (_, o) => `${partition}:${o}`).filter((at) => !offsets.has(at)),
    );
    expect(gaps).toEqual([]);
    const again = new Set<string>();
    const unflagged: string[] = [];
    for (const r of run.seen) {
      if (again.has(where(r)) && !r.message.redelivered) unflagged.push(where(r));
      again.add(where(r));
    }
    expect(unflagged).toEqual([]);
    const redelivered = run.seen.length - offsets.size;
    const storedTwice = [...run.stored.values()].reduce((a, b) => a + b, 0) - TOTAL;
    expect(redelivered).toBeLessThanOrEqual(PREFETCH);
    expect(storedTwice).toBeLessThanOrEqual(BATCH);
    reportFailover({
      case: `kafka: ${run.case} (${run.killed}) killed`,
      duplicates: run.seen.length - TOTAL,
      produceStallMs: run.produceStallMs,
      consumeStallMs: run.consumeStallMs,
    });
  }

  it('loses nothing when the partition leader that also coordinates the group is killed mid-run', async () => {
    expectNoLossAndBoundedDuplicates(await failover('the partition leader and group coordinator', true));
  });

  it('loses nothing when the partition leader (not the group coordinator) is killed mid-run', async () => {
    expectNoLossAndBoundedDuplicates(await failover('the partition leader', false));
  });

  it('connects when the first host of the URL is down, and produces to and consumes a replicated topic', async () => {
    const ds = dataset('first-down');
    const target = { name: 'kafka', url: () => kafka.url() };
    const before = await startApp(target, kafka.url(['k2']), { options });
    try {
      await before.channel.produce(ds, { i: 0 }, { key: 'k' }); // creates the topic while every node is up
    } finally {
      await before.close();
    }
    const admin = await kafka.admin();
    try {
      const { resources } = await admin.describeConfigs({
        resources: [{ type: 2, name: ds, configNames: ['min.insync.replicas'] }], // 2: TOPIC
        includeSynonyms: false,
      });
      expect(resources[0].configEntries).toEqual([
        expect.objectContaining({ configName: 'min.insync.replicas', configValue: '2' }),
      ]);
    } finally {
      await admin.disconnect();
    }
    expect((await partitionOf(ds)).replicas).toHaveLength(3);
    await kafka.cluster.stop('k1');
    try {
      await kafka.waitForBrokers(); // k1 fenced: the topic and the group coordinators have new leaders
      const seen: Recorded[] = [];
      const app = await startApp(target, kafka.url(['k1', 'k2', 'k3']), {
        options,
        providers: [recordingHandler(ds, { group: dataset('g'), offset: Offset.BEGIN }, seen)],
      });
      try {
        const [result] = await app.channel.produce([{ dataset: ds, value: { i: 1 }, key: 'k' }]);
        expect(result.sequence).toBe(1);
        await waitFor(() => seen.length >= 2, { message: 'both records consumed', timeoutMs: 30_000 });
        expect(seen.map((r) => r.payload.i)).toEqual([0, 1]);
      } finally {
        await app.close();
      }
    } finally {
      await kafka.cluster.restart('k1');
      await kafka.waitForBrokers();
    }
  });
});
