import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePorts, ProcessCluster } from '@databus/testing';
import { Admin, Kafka, logLevel } from 'kafkajs';

const REPO = resolve(__dirname, '..', '..', '..', '..');
/** Heap of each broker: three of them start in about 11 s on the shared 2-core machine. */
const HEAP = ['-Xms128m', '-Xmx384m'];
/** Partitions of `__consumer_offsets` (`offsets.topic.num.partitions`). */
const OFFSETS_PARTITIONS = 3;

/** A KRaft cluster of Apache Kafka brokers on loopback, each broker and controller, own ports and log dir. */
export interface KafkaCluster {
  cluster: ProcessCluster;
  /** PLAINTEXT client port of each node, by node name (`k1`, `k2`, …). */
  ports: Record<string, number>;
  /** Node ids (`node.id`) by node name. */
  ids: Record<string, number>;
  /** `kafka://127.0.0.1:p1,127.0.0.1:p2,…` for the given nodes (all by default), in that order. */
  url(names?: string[]): string;
  /** The node with `node.id` `id`. */
  nameOf(id: number): string;
  /** A kafkajs admin on the running nodes (connected; disconnect it). */
  admin(): Promise<Admin>;
  /** Waits until the cluster lists exactly the running nodes as brokers and has an active controller. */
  waitForBrokers(timeoutMs?: number): Promise<void>;
  /**
   * Waits until every partition of `__consumer_offsets` is led by its preferred replica again, so that after
   * a restart each node coordinates some groups.
   */
  waitForPreferredLeaders(timeoutMs?: number): Promise<void>;
  /** The node id of the group coordinator of `group` (the leader of its `__consumer_offsets` partition). */
  coordinatorOf(group: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The broker classpath of `npm run kafka` (scripts/kafka.mjs: Apache Kafka from Maven Central, resolved
 * once into ~/.m2 and cached), the last line the script prints.
 */
function brokerClasspath(): string {
  const run = spawnSync(process.execPath, [join(REPO, 'scripts', 'kafka.mjs'), 'classpath'], {
    encoding: 'utf8',
  });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !last.includes('.jar'))
    throw new Error(`scripts/kafka.mjs classpath failed (exit ${run.status}): ${run.stderr}${run.stdout}`);
  return last;
}

/**
 * Settings of every node. Fast failover: a broker that stops heartbeating is fenced by the controller after
 * 4 s (its partitions get new leaders from their in-sync replicas) and a follower that stops fetching leaves
 * the ISR after 4 s; groups join without delay. Internal topics are replicated on all three nodes.
 */
function nodeConfig(id: number, dir: string, port: number, controllerPort: number, voters: string): string[] {
  return [
    'process.roles=broker,controller',
    `node.id=${id}`,
    `controller.quorum.voters=${voters}`,
    'controller.listener.names=CONTROLLER',
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'default.replication.factor=1',
    'unclean.leader.election.enable=false',
    'offsets.topic.replication.factor=3',
    `offsets.topic.num.partitions=${OFFSETS_PARTITIONS}`,
    'transaction.state.log.replication.factor=3',
    'transaction.state.log.min.isr=2',
    'share.coordinator.state.topic.replication.factor=3',
    'share.coordinator.state.topic.min.isr=2',
    'broker.session.timeout.ms=4000',
    'broker.heartbeat.interval.ms=1000',
    'controller.quorum.election.timeout.ms=1000',
    'controller.quorum.fetch.timeout.ms=2000',
    'replica.lag.time.max.ms=4000',
    // A restarted node gets its preferred leaderships back within seconds (default: 5 minutes).
    'auto.leader.rebalance.enable=true',
    'leader.imbalance.check.interval.seconds=1',
    'leader.imbalance.per.broker.percentage=0',
    'group.initial.rebalance.delay.ms=0',
    'group.min.session.timeout.ms=1000',
    'num.network.threads=2',
    'num.io.threads=2',
    'num.replica.fetchers=1',
    'background.threads=2',
    'log.segment.bytes=8388608',
    'delete.topic.enable=true',
  ];
}

/**
 * Starts `size` KRaft nodes (`k1`…, node ids 1…) on free loopback ports: each is broker and controller with
 * the same static `controller.quorum.voters`, its log dir formatted (same cluster id) on its first start,
 * small heaps. Waits until every node is a registered broker. A restarted node keeps its log dir.
 */
export async function startKafkaCluster(name: string, size = 3): Promise<KafkaCluster> {
  const classpath = brokerClasspath();
  const ports = await freePorts(size * 2);
  const names = Array.from({ length: size }, (_, i) => `k${i + 1}`);
  const clientPort = (i: number): number => ports[i];
  const controllerPort = (i: number): number => ports[size + i];
  const voters = names.map((_, i) => `${i + 1}@127.0.0.1:${controllerPort(i)}`).join(',');
  const clusterId = randomBytes(16).toString('base64url');
  const java = (dir: string, ...args: string[]): string[] => [
    'java',
    ...HEAP,
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${join(dir, 'logs')}`,
    '-cp',
    classpath,
    ...args,
  ];
  const quote = (words: string[]): string => words.map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(' ');
  const cluster = await ProcessCluster.start({
    name,
    lifetimeSec: 300,
    readyTimeoutMs: 60_000,
    nodes: names.map((node, i) => ({
      name: node,
      command: 'sh',
      port: clientPort(i),
      args: (dir) => {
        const properties = join(dir, 'server.properties');
        writeFileSync(
          properties,
          `${nodeConfig(i + 1, dir, clientPort(i), controllerPort(i), voters).join('\n')}\n`,
        );
        writeFileSync(
          join(dir, 'log4j2.properties'),
          [
            'appender.file.type=File',
            'appender.file.name=file',
            `appender.file.fileName=${join(dir, 'logs', 'server.log')}`,
            'appender.file.layout.type=PatternLayout',
            'appender.file.layout.pattern=[%d] %p %m (%c)%n',
            // Errors (a fatal start-up error such as a port already in use) also go to the node's output,
            // which the cluster's failure messages quote.
            'appender.console.type=Console',
            'appender.console.name=console',
            'appender.console.layout.type=PatternLayout',
            'appender.console.layout.pattern=[%d] %p %m (%c)%n',
            'appender.console.filter.threshold.type=ThresholdFilter',
            'appender.console.filter.threshold.level=ERROR',
            'rootLogger.level=WARN',
            'rootLogger.appenderRef.file.ref=file',
            'rootLogger.appenderRef.console.ref=console',
            'logger.server.name=kafka.server',
            'logger.server.level=INFO',
            '',
          ].join('\n'),
        );
        // Format the log dir on the first start only (a restart keeps the node's data), then become the broker.
        const format = quote(
          java(dir, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties),
        );
        const broker = quote(java(dir, 'kafka.Kafka', properties));
        return [
          '-c',
          `test -f data/meta.properties || ${format} >format.log 2>&1 || { cat format.log; exit 1; }; exec ${broker}`,
        ];
      },
    })),
  });
  const byName = Object.fromEntries(names.map((n, i) => [n, clientPort(i)]));
  const ids = Object.fromEntries(names.map((n, i) => [n, i + 1]));
  const running = (): string[] => names.filter((n) => cluster.isRunning(n));
  const admin = async (): Promise<Admin> => {
    const client = new Kafka({
      clientId: 'databus-cluster-test',
      brokers: running().map((n) => `127.0.0.1:${byName[n]}`),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 5000,
      retry: { retries: 2, initialRetryTime: 100 },
    }).admin();
    await client.connect();
    return client;
  };
  const result: KafkaCluster = {
    cluster,
    ports: byName,
    ids,
    url: (nodes = names) => `kafka://${nodes.map((n) => `127.0.0.1:${byName[n]}`).join(',')}`,
    nameOf: (id) => names[id - 1],
    admin,
    waitForBrokers: (timeoutMs = 60_000) => waitForBrokers(admin, running, ids, timeoutMs),
    waitForPreferredLeaders: (timeoutMs) =>
      untilAnswered(
        'the preferred leaders of __consumer_offsets',
        async () => {
          const client = await admin();
          try {
            const { topics } = await client.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
            const moved = topics[0].partitions.filter((p) => p.leader !== p.replicas[0]);
            if (moved.length > 0)
              throw new Error(`partitions ${moved.map((p) => p.partitionId).join(', ')} led elsewhere`);
          } finally {
            await client.disconnect();
          }
        },
        timeoutMs,
      ),
    coordinatorOf: (group) =>
      untilAnswered(`the coordinator of group ${group}`, async () => {
        const client = await admin();
        try {
          await client.describeGroups([group]); // creates __consumer_offsets on first use
          const { topics } = await client.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
          const partition = javaStringHash(group) % OFFSETS_PARTITIONS;
          const leader = topics[0].partitions.find((p) => p.partitionId === partition)?.leader;
          if (leader === undefined || leader < 0) throw new Error(`no leader for ${group}'s offsets`);
          return leader;
        } finally {
          await client.disconnect();
        }
      }),
    close: () => cluster.close(),
  };
  try {
    await result.waitForBrokers();
    await result.coordinatorOf('databus-cluster-warm-up'); // the group coordinators are up
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return result;
}

/**
 * Polls the cluster's metadata until the brokers it lists are the running nodes (a stopped node is listed
 * until the controller fences it, after `broker.session.timeout.ms`) and a controller is active.
 */
function waitForBrokers(
  admin: () => Promise<Admin>,
  running: () => string[],
  ids: Record<string, number>,
  timeoutMs: number,
): Promise<void> {
  return untilAnswered(
    'the Kafka cluster',
    async () => {
      const client = await admin();
      try {
        const { brokers, controller } = await client.describeCluster();
        const up = new Set(brokers.map((b) => b.nodeId));
        const wanted = running().map((n) => ids[n]);
        if (controller === null || up.size !== wanted.length || !wanted.every((id) => up.has(id)))
          throw new Error(`brokers ${[...up].join(',')} of ${wanted.join(',')}, controller ${controller}`);
      } finally {
        await client.disconnect();
      }
    },
    timeoutMs,
  );
}

/** Runs `ask` every 300 ms until it answers (a cluster electing leaders refuses for a few seconds). */
async function untilAnswered<T>(what: string, ask: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await ask();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} did not answer: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/** Kafka's `Utils.abs(group.hashCode())`: where a group's offsets (and so its coordinator) live. */
function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash === -2147483648 ? 0 : Math.abs(hash);
}
