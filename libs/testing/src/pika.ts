import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describeWithBroker } from './brokers';

/** Debian's python, where `apt-get install python3-pika` puts pika (a `python3` on PATH may be another). */
export const PIKA_PYTHON = '/usr/bin/python3';

/** The course's pika programs, as test fixtures (libs/testing/fixtures/pika). */
export type PikaProgram = 'send_stats.py' | 'receive_logs.py' | 'emit_log.py';

const FIXTURES = join(__dirname, '..', 'fixtures', 'pika');

let available: boolean | undefined;

/** True when Debian's python3 can import pika (checked once). */
export function pikaAvailable(): boolean {
  available ??=
    spawnSync(PIKA_PYTHON, ['-c', 'import pika'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  return available;
}

/**
 * `describeWithBroker('amqp', …)` that also needs pika: skipped by name without it, and under
 * `REQUIRE_BROKERS=1` a missing pika fails the run (`.ci/run` installs python3-pika).
 */
export function describeWithPika(title: string, fn: () => void): void {
  if (pikaAvailable()) return describeWithBroker('amqp', `${title} [pika]`, fn);
  const why = `python3-pika not importable by ${PIKA_PYTHON} (apt-get install -y python3-pika)`;
  if (process.env.REQUIRE_BROKERS === '1') throw new Error(`${title}: ${why} and REQUIRE_BROKERS=1`);
  describe.skip(`${title} [skipped: ${why}]`, fn);
}

/** A running pika program: its output lines so far, and its end. */
export interface PikaRun {
  readonly lines: string[];
  /** Resolves with the first line starting with `prefix` (rejects if the program ends first). */
  line(prefix: string): Promise<string>;
  /** Resolves when the program exits, with its exit code and every line it printed (stdout and stderr). */
  readonly exited: Promise<{ code: number | null; lines: string[] }>;
  /** Ends the program if it still runs. */
  kill(): void;
}

/** Starts one of the course's pika programs with `args` (the broker URL first); killed after `timeoutMs`. */
export function startPika(program: PikaProgram, args: string[], timeoutMs = 30_000): PikaRun {
  const child: ChildProcess = spawn(PIKA_PYTHON, [join(FIXTURES, program), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  // Python may write a line in several pieces (PYTHONUNBUFFERED): keep each stream's unfinished line.
  const collector = () => {
    let partial = '';
    return (chunk: Buffer): void => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
      for (const wake of [...waiters]) wake();
    };
  };
  child.stdout?.on('data', collector());
  child.stderr?.on('data', collector());
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  timer.unref();
  let ended = false;
  const exited = new Promise<{ code: number | null; lines: string[] }>((resolve) => {
    child.once('close', (code) => {
      ended = true;
      clearTimeout(timer);
      for (const wake of [...waiters]) wake();
      resolve({ code, lines });
    });
  });
  return {
    lines,
    exited,
    kill: () => {
      if (!ended) child.kill('SIGKILL');
    },
    line: (prefix) =>
      new Promise<string>((resolve, reject) => {
        const check = (): void => {
          const found = lines.find((l) => l.startsWith(prefix));
          if (found) {
            waiters.delete(check);
            resolve(found);
          } else if (ended) {
            waiters.delete(check);
            reject(new Error(`${program} ended without printing "${prefix}…": ${lines.join(' | ')}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Runs a pika program to its end. */
export function runPika(
  program: PikaProgram,
  args: string[],
  timeoutMs?: number,
): Promise<{ code: number | null; lines: string[] }> {
  return startPika(program, args, timeoutMs).exited;
}
