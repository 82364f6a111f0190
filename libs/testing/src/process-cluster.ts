import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import realProcess from 'node:process';
import { canConnect } from './brokers';

/** One process of a test cluster. `args` gets the node's own directory (store, logs) to put in its flags. */
export interface ClusterNodeSpec {
  /** Unique within the cluster, e.g. `n1`. */
  name: string;
  command: string;
  args: (dir: string) => string[];
  /** Loopback TCP port that accepts connections once the node is up. */
  port: number;
}

/** What a `ProcessCluster` is started with. */
export interface ProcessClusterOptions {
  /** Names the state directory: a second start with the same name (same checkout) reaps what the first left. */
  name: string;
  nodes: ClusterNodeSpec[];
  /** Hard lifetime of each process: `timeout(1)` kills it after this long whatever the test does. @default 300 */
  lifetimeSec?: number;
  /** How long each node may take to open its port. @default 30_000 */
  readyTimeoutMs?: number;
}

interface RunningNode {
  spec: ClusterNodeSpec;
  dir: string;
  child?: ChildProcess;
  exited?: Promise<void>;
}

/** Every cluster of this process that is not closed: the exit hooks kill them. */
const live = new Set<ProcessCluster>();
let hooksInstalled = false;

/**
 * N processes on their own loopback ports and directories, for the `cluster` Jest project:
 * - each node runs in its own process group under `timeout --signal=KILL <lifetimeSec>`, so it cannot
 *   outlive a run by much even when everything else fails;
 * - it runs in `<state>/<node>/` and its process-group id is written to `<state>/<node>/pid`; `start` first
 *   kills whatever an earlier run of the same cluster name in this checkout left behind (a crashed or killed
 *   Jest: a recorded group still running in that directory), then wipes the state;
 * - `close()` (call it in `afterAll`) kills every node and removes the state; a process `exit`, SIGINT or
 *   SIGTERM hook does the same for clusters a failing test did not close.
 * The state lives under `<tmpdir>/databus-cluster/<checkout hash>/<name>`.
 */
export class ProcessCluster {
  private readonly nodes = new Map<string, RunningNode>();
  private readonly lifetimeSec: number;
  private readonly readyTimeoutMs: number;
  readonly stateDir: string;

  private constructor(private readonly options: ProcessClusterOptions) {
    this.lifetimeSec = options.lifetimeSec ?? 300;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.stateDir = clusterStateDir(options.name);
    for (const spec of options.nodes)
      this.nodes.set(spec.name, { spec, dir: join(this.stateDir, spec.name) });
  }

  /** Reaps leftovers of an earlier run, starts every node and waits until each accepts connections. */
  static async start(options: ProcessClusterOptions): Promise<ProcessCluster> {
    reapStale(clusterStateDir(options.name));
    const cluster = new ProcessCluster(options);
    installExitHooks();
    live.add(cluster);
    try {
      for (const node of cluster.nodes.values()) cluster.spawnNode(node);
      await Promise.all([...cluster.nodes.values()].map((n) => cluster.waitReady(n)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** Node names in start order. */
  get names(): string[] {
    return [...this.nodes.keys()];
  }

  /** Whether `name` is running (started and not stopped or exited). */
  isRunning(name: string): boolean {
    const child = this.node(name).child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Kills node `name` (its whole process group) with `signal` and waits until it has exited. */
  async stop(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const node = this.node(name);
    if (!node.child || !this.isRunning(name)) return;
    // The signal goes to the node itself; `timeout` then reaps it and exits (a SIGKILL to the whole group
    // would leave the node a zombie that nobody reaps).
    const pid = node.child.pid;
    const inner = pid === undefined ? [] : childrenOf(pid);
    if (inner.length === 0) killGroup(pid, signal);
    for (const child of inner) killPid(child, signal);
    const stuck = setTimeout(() => killGroup(pid, 'SIGKILL'), 10_000);
    await node.exited;
    clearTimeout(stuck);
    rmSync(join(node.dir, 'pid'), { force: true });
  }

  /** Starts a stopped node again with its directory as it was (a restart, not a new member). */
  async restart(name: string): Promise<void> {
    const node = this.node(name);
    if (this.isRunning(name)) return;
    this.spawnNode(node);
    await this.waitReady(node);
  }

  /** The last `bytes` of a node's output, for failure messages. */
  logTail(name: string, bytes = 2000): string {
    const file = join(this.node(name).dir, 'out.log');
    if (!existsSync(file)) return '';
    const text = readFileSync(file, 'utf8');
    return text.slice(Math.max(0, text.length - bytes));
  }

  /** Kills every node, waits for them and removes the state directory. Safe to call twice. */
  async close(): Promise<void> {
    live.delete(this);
    await Promise.all(this.names.map((name) => this.stop(name)));
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  /** Synchronous last resort for the exit hooks: SIGKILL to every node's process group. */
  killNow(): void {
    for (const node of this.nodes.values()) if (node.child) killGroup(node.child.pid, 'SIGKILL');
  }

  private node(name: string): RunningNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`cluster ${this.options.name} has no node ${name} (${this.names.join(', ')})`);
    return node;
  }

  private spawnNode(node: RunningNode): void {
    mkdirSync(node.dir, { recursive: true });
    const out = openSync(join(node.dir, 'out.log'), 'a');
    const child = spawn(
      'timeout',
      ['--signal=KILL', String(this.lifetimeSec), node.spec.command, ...node.spec.args(node.dir)],
      { detached: true, cwd: node.dir, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    child.unref();
    node.child = child;
    node.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    if (child.pid !== undefined) writeFileSync(join(node.dir, 'pid'), String(child.pid));
  }

  private async waitReady(node: RunningNode): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    while (!(await canConnect('127.0.0.1', node.spec.port, 1000))) {
      if (!this.isRunning(node.spec.name))
        throw new Error(
          `cluster node ${node.spec.name} exited (${exitStatus(node.child)}) before opening port ` +
            `${node.spec.port}: ${this.logTail(node.spec.name) || '(no output)'}`,
        );
      if (Date.now() > deadline)
        throw new Error(
          `cluster node ${node.spec.name} did not open port ${node.spec.port} within ` +
            `${this.readyTimeoutMs} ms: ${this.logTail(node.spec.name)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * How a node's process ended, for failure messages: its exit code, or the signal that killed it (the node runs
 * under `timeout --signal=KILL`, which exits 124 when the lifetime ran out and 128 + n when its child died of
 * signal n).
 */
function exitStatus(child: ChildProcess | undefined): string {
  if (!child) return 'never started';
  if (child.signalCode !== null) return `killed by ${child.signalCode}`;
  return `exit code ${child.exitCode}`;
}

function clusterStateDir(name: string): string {
  const checkout = createHash('sha1').update(realProcess.cwd()).digest('hex').slice(0, 10);
  return join(tmpdir(), 'databus-cluster', checkout, name);
}

/** Kills the process groups recorded under `stateDir` by an earlier run, then removes the directory. */
function reapStale(stateDir: string): void {
  if (!existsSync(stateDir)) return;
  for (const entry of readdirSync(stateDir)) {
    const pidFile = join(stateDir, entry, 'pid');
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    // Only a process still running in this node's directory is ours (the pid may have been reused).
    if (Number.isInteger(pid) && pid > 1 && workingDir(pid) === realpathSync(join(stateDir, entry)))
      killGroup(pid, 'SIGKILL');
  }
  rmSync(stateDir, { recursive: true, force: true });
}

function workingDir(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid !== undefined) killPid(-pid, signal);
}

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    realProcess.kill(pid, signal);
  } catch {
    // already gone
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = (): void => {
    for (const cluster of live) cluster.killNow();
    live.clear();
  };
  realProcess.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    realProcess.once(signal, () => {
      killAll();
      realProcess.kill(realProcess.pid, signal); // the default action, now that this handler is gone
    });
}
