import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, ProcessCluster } from '@databus/testing';

/** A node process that listens on `port` until killed. */
const listener = (name: string, port: number) => ({
  name,
  command: process.execPath,
  port,
  args: () => ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1')`],
});

/** Running (a zombie waiting for its parent to reap it counts as gone). */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('ProcessCluster (the cluster tests’ process helper)', () => {
  const opened: ProcessCluster[] = [];
  afterAll(async () => {
    for (const c of opened) await c.close();
  });

  it('starts every node on its own port and directory, stops and restarts one, and close() kills them all', async () => {
    const [p1, p2] = await freePorts(2);
    const cluster = await ProcessCluster.start({
      name: 'helper-lifecycle',
      nodes: [listener('a', p1), listener('b', p2)],
    });
    opened.push(cluster);
    const pids = cluster.names.map((n) => Number(readFileSync(join(cluster.stateDir, n, 'pid'), 'utf8')));
    expect(pids.every(alive)).toBe(true);

    await cluster.stop('a');
    expect(cluster.isRunning('a')).toBe(false);
    expect(alive(pids[0])).toBe(false);
    expect(cluster.isRunning('b')).toBe(true);
    await cluster.restart('a');
    expect(cluster.isRunning('a')).toBe(true);
    const restarted = Number(readFileSync(join(cluster.stateDir, 'a', 'pid'), 'utf8'));

    await cluster.close();
    expect([restarted, pids[1]].some(alive)).toBe(false);
    expect(existsSync(cluster.stateDir)).toBe(false);
  });

  it('kills, on the next start, the nodes an earlier run left running (by their pid files)', async () => {
    const [p1, p2] = await freePorts(2);
    const abandoned = await ProcessCluster.start({ name: 'helper-reap', nodes: [listener('a', p1)] });
    const leftover = Number(readFileSync(join(abandoned.stateDir, 'a', 'pid'), 'utf8'));
    // A crashed run never calls close(); the next start of the same cluster finds its pid file.
    const next = await ProcessCluster.start({ name: 'helper-reap', nodes: [listener('a', p2)] });
    opened.push(next, abandoned);
    expect(alive(leftover)).toBe(false);
    expect(next.isRunning('a')).toBe(true);
  });

  it('kills the nodes of a cluster nobody closed when its process exits (the exit hook)', async () => {
    const [port] = await freePorts(1);
    const { stdout } = await promisify(execFile)(process.execPath, [
      '-r',
      join(__dirname, '../../../test/ts-register.js'),
      join(__dirname, 'fixtures/abandon-cluster.ts'),
      String(port),
    ]);
    const pid = Number(stdout.trim());
    expect(pid).toBeGreaterThan(1);
    expect(alive(pid)).toBe(false);
  });

  it('fails start with the node output and its exit code when a node exits', async () => {
    const [port] = await freePorts(1);
    const error = await ProcessCluster.start({
      name: 'helper-broken',
      nodes: [
        {
          name: 'x',
          command: process.execPath,
          port,
          args: () => ['-e', 'console.log("no luck"); process.exit(3)'],
        },
      ],
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      new RegExp(`cluster node x exited \\(exit code 3\\) before opening port ${port}: no luck`),
    );
  });

  it('says so when a node that exits printed nothing', async () => {
    const [port] = await freePorts(1);
    const error = await ProcessCluster.start({
      name: 'helper-silent',
      nodes: [{ name: 'x', command: process.execPath, port, args: () => ['-e', 'process.exit(0)'] }],
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /cluster node x exited \(exit code 0\) before opening port \d+: \(no output\)/,
    );
  });
});
