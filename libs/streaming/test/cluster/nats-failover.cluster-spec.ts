import { ConfigurationError } from '@databus/common';
import { waitFor } from '@databus/testing';
import { Offset } from '@databus/streaming';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMING_CONNECTION } from '../../src/streaming.constants';
import { StreamingConnection } from '../../src/connection/streaming-connection';
import { connect } from '../../src/transports/nats/nats-client';
import { NatsTransport } from '../../src/transports/nats/nats.transport';
import { dataset, startApp, TestApp } from '../conformance/harness';
import { Recorded, recordingHandler } from '../conformance/helpers';
import { natsContext } from '../integration/nats-test-kit';
import { NatsCluster, startNatsCluster } from './nats-cluster';
import { reportFailover } from './failover-report';

const TOTAL = 2000;
const PREFETCH = 40;
const streamPrefix = 'DBC_';

/** How one failover run went: what was killed and how long producing and consuming stalled. */
interface FailoverRun {
  case: string;
  killed: string;
  seen: Recorded[];
  produceStallMs: number;
  consumeStallMs: number;
}

describe('NATS JetStream cluster (3 nodes on loopback): replicas and failover', () => {
  let nats: NatsCluster;
  beforeAll(async () => {
    nats = await startNatsCluster('nats-failover', 3);
  });
  afterAll(async () => {
    await nats?.close();
  });

  const transportOf = (app: TestApp): NatsTransport =>
    app.module.get<StreamingConnection>(STREAMING_CONNECTION).transport as NatsTransport;

  /** Streams and consumers as the cluster sees them. */
  async function inspect(ds: string, group?: string) {
    const nc = await connect({ servers: Object.values(nats.ports).map((p) => `127.0.0.1:${p}`) });
    try {
      const jsm = await jetstreamManager(nc);
      const stream = await jsm.streams.info(`${streamPrefix}${ds}`);
      const consumer = group ? await jsm.consumers.info(`${streamPrefix}${ds}`, group) : undefined;
      return {
        stream,
        consumer,
        stepDown: () => nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${streamPrefix}${ds}`),
      };
    } finally {
      setTimeout(() => void nc.close(), 2000).unref();
    }
  }

  /**
   * Produces TOTAL numbered messages (10 at a time) into a 3-replica stream while a group consumes them;
   * once a quarter is consumed, `kill` stops one node. Then waits for every message and restarts the node.
   */
  async function failover(
    name: string,
    kill: (app: TestApp, ds: string) => Promise<string>,
  ): Promise<FailoverRun> {
    const ds = dataset('failover');
    const group = dataset('g');
    const seen: Recorded[] = [];
    let consumedAt: number[] = [];
    const app = await startApp({ name: 'nats', url: () => nats.url() }, nats.url(), {
      options: {
        produceTimeoutMs: 60_000,
        transportOptions: { streamPrefix, stream: { replicas: 3 }, consumerReplicas: 3, ackWaitMs: 10_000 },
      },
      providers: [
        recordingHandler(ds, { group, batch: 20, prefetch: PREFETCH, offset: Offset.BEGIN }, seen, () => {
          consumedAt.push(Date.now());
        }),
      ],
    });
    let killed = '';
    try {
      const producedAt: number[] = [];
      const producing = (async () => {
        for (let i = 0; i < TOTAL; i += 10)
          await Promise.all(
            Array.from({ length: 10 }, (_, k) =>
              app.channel.produce(ds, { i: i + k }).then(() => producedAt.push(Date.now())),
            ),
          );
      })();
      await waitFor(() => seen.length >= TOTAL / 4, { message: 'a quarter consumed', timeoutMs: 60_000 });
      const killedAt = Date.now();
      killed = await kill(app, ds);
      await producing;
      await waitFor(() => new Set(seen.map((r) => r.payload.i)).size >= TOTAL, {
        message: `all ${TOTAL} messages after killing ${killed}`,
        timeoutMs: 60_000,
      });
      // The longest pause between the kill and the end: the kill itself, then each event after it.
      const longestPause = (times: number[]) =>
        [killedAt, ...times.filter((t) => t > killedAt)].reduce(
          (max, t, i, all) => (i === 0 ? 0 : Math.max(max, t - all[i - 1])),
          0,
        );
      const run = {
        case: name,
        killed,
        seen,
        produceStallMs: longestPause(producedAt),
        consumeStallMs: longestPause(consumedAt),
      };
      // The killed node may have led the meta group too: the JetStream API answers once a new one is elected.
      await nats.waitForJetStream();
      const { stream, consumer } = await inspect(ds, group);
      expect(stream.config.num_replicas).toBe(3);
      expect(consumer?.config.num_replicas).toBe(3);
      // Publishes retried across the failover were deduplicated (Nats-Msg-Id): each stored once.
      expect(stream.state.messages).toBe(TOTAL);
      return run;
    } finally {
      consumedAt = [];
      await app.close();
      if (killed) {
        await nats.cluster.restart(killed);
        await nats.waitForJetStream();
      }
    }
  }

  /** 0 lost; every second and later delivery of a message is flagged `redelivered` and within the window. */
  function expectNoLossAndFlaggedDuplicates(run: FailoverRun): void {
    const count = new Map<number, number>();
    for (const r of run.seen) count.set(r.payload.i, (count.get(r.payload.i) ?? 0) + 1);
    expect([...count.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    const again = new Set<number>();
    const unflagged: number[] = [];
    for (const r of run.seen) {
      if (again.has(r.payload.i) && !r.message.redelivered) unflagged.push(r.payload.i);
      again.add(r.payload.i);
    }
    expect(unflagged).toEqual([]);
    const duplicates = run.seen.length - TOTAL;
    expect(duplicates).toBeLessThanOrEqual(PREFETCH);
    reportFailover({
      case: `nats: ${run.case} (${run.killed}) killed`,
      duplicates,
      produceStallMs: run.produceStallMs,
      consumeStallMs: run.consumeStallMs,
    });
  }

  it('refuses more stream replicas than the cluster has nodes, naming the option and the size', async () => {
    const transport = new NatsTransport(
      natsContext({
        url: { ...natsContext().url, hosts: [{ host: '127.0.0.1', port: nats.ports.n1 }] },
        transportOptions: { stream: { replicas: 5 } },
      }),
    );
    const error = await transport.connect().catch((e: unknown) => e);
    await transport.close();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('transportOptions.stream.replicas');
    expect((error as Error).message).toContain(
      'at most 3 (the JetStream cluster "databus-test" has 3 nodes)',
    );
  });

  it('loses nothing when the node of our connection is killed mid-run (duplicates flagged, within the window)', async () => {
    const run = await failover('the node of our connection', async (app) => {
      const node = transportOf(app).server?.name;
      if (!node) throw new Error('not connected');
      await nats.cluster.stop(node);
      return node;
    });
    expect(run.killed).toMatch(/^n[123]$/);
    expectNoLossAndFlaggedDuplicates(run);
  });

  it('loses nothing when the stream leader (not our node) is killed mid-run', async () => {
    const run = await failover('the stream leader', async (app, ds) => {
      const ours = transportOf(app).server?.name;
      let { stream, stepDown } = await inspect(ds);
      // Move the leadership off our node, so that this run kills the leader alone.
      for (let i = 0; i < 5 && stream.cluster?.leader === ours; i++) {
        await stepDown();
        await waitFor(async () => (await inspect(ds)).stream.cluster?.leader, { message: 'a new leader' });
        ({ stream, stepDown } = await inspect(ds));
      }
      const leader = stream.cluster?.leader;
      if (!leader || leader === ours) throw new Error(`the stream leader is ${leader}, our node ${ours}`);
      await nats.cluster.stop(leader);
      return leader;
    });
    expectNoLossAndFlaggedDuplicates(run);
  });

  it('connects when the first host of the URL is down, and produces to a replicated stream', async () => {
    const context = (names: string[]) =>
      natsContext({
        url: {
          ...natsContext().url,
          hosts: names.map((n) => ({ host: '127.0.0.1', port: nats.ports[n] })),
        },
        transportOptions: { streamPrefix, stream: { replicas: 3 } },
      });
    const ds = dataset('first-down');
    const record = { data: Buffer.from('x'), headers: {} };
    const before = new NatsTransport(context(['n2']));
    await before.connect();
    await before.produce(ds, [record]); // creates the 3-replica stream while every node is up
    await before.close();
    await nats.cluster.stop('n1');
    try {
      await nats.waitForJetStream(['n2', 'n3']); // n1 may have been the meta leader: wait for the next one
      const transport = new NatsTransport(context(['n1', 'n2', 'n3']));
      try {
        await transport.connect();
        expect(transport.server?.name).toMatch(/^n[23]$/);
        // Waits out the stream's leader election if n1 led it (publishes meet "no responders" meanwhile).
        const [ack] = await transport.produce(ds, [record]);
        expect(ack.sequence).toBe(2);
      } finally {
        await transport.close();
      }
    } finally {
      await nats.cluster.restart('n1');
      await nats.waitForJetStream();
    }
  });
});
