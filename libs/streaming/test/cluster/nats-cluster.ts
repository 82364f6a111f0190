import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts, ProcessCluster } from '@databus/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '../../src/transports/nats/nats-client';

const NATS_SERVER = '/usr/sbin/nats-server';

/** A JetStream cluster of `nats-server` processes on loopback, each with its own ports and store. */
export interface NatsCluster {
  cluster: ProcessCluster;
  /** Client port of each node, by node name (`n1`, `n2`, …). */
  ports: Record<string, number>;
  /** `nats://127.0.0.1:p1,127.0.0.1:p2,…` for the given nodes (all by default), in that order. */
  url(names?: string[]): string;
  /** The node whose client port is `port`. */
  nameOf(port: number): string;
  /** Waits until JetStream answers through the given nodes (all running ones by default). */
  waitForJetStream(names?: string[], timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts `size` nodes (`n1`…) of cluster `databus-test` with JetStream on free loopback ports, routes between
 * all of them and a small memory store, and waits until the cluster's JetStream (meta leader) answers.
 */
export async function startNatsCluster(name: string, size = 3): Promise<NatsCluster> {
  const ports = await freePorts(size * 2);
  const names = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const clientPort = (i: number): number => ports[i];
  const routePort = (i: number): number => ports[size + i];
  const cluster = await ProcessCluster.start({
    name,
    lifetimeSec: 300,
    nodes: names.map((node, i) => ({
      name: node,
      command: NATS_SERVER,
      port: clientPort(i),
      args: (dir) => {
        const conf = join(dir, 'nats.conf');
        const routes = names
          .map((_, j) => j)
          .filter((j) => j !== i)
          .map((j) => `"nats://127.0.0.1:${routePort(j)}"`);
        writeFileSync(
          conf,
          [
            `server_name: ${node}`,
            `listen: "127.0.0.1:${clientPort(i)}"`,
            `jetstream { store_dir: "${join(dir, 'store')}", max_memory_store: 64MB, max_file_store: 1GB }`,
            `cluster { name: databus-test, listen: "127.0.0.1:${routePort(i)}", routes: [${routes.join(', ')}] }`,
          ].join('\n'),
        );
        return ['-c', conf];
      },
    })),
  });
  const byName = Object.fromEntries(names.map((n, i) => [n, clientPort(i)]));
  const result: NatsCluster = {
    cluster,
    ports: byName,
    url: (nodes = names) => `nats://${nodes.map((n) => `127.0.0.1:${byName[n]}`).join(',')}`,
    nameOf: (port) => names[ports.indexOf(port)],
    waitForJetStream: (nodes, timeoutMs) =>
      waitForJetStream(
        (nodes ?? names.filter((n) => cluster.isRunning(n))).map((n) => byName[n]),
        timeoutMs,
      ),
    close: () => cluster.close(),
  };
  try {
    await result.waitForJetStream();
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return result;
}

/** Polls each port until JetStream's account info answers there (the meta group has a leader). */
async function waitForJetStream(ports: number[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    for (;;) {
      try {
        const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false, timeout: 1000 });
        try {
          await (await jetstreamManager(nc, { timeout: 1000 })).getAccountInfo();
          break;
        } finally {
          await nc.close();
        }
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`JetStream did not answer on 127.0.0.1:${port}: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}
