import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** Builds the packages the child app loads from dist (incremental: quick when nothing changed). */
export function buildForChildApps(): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'libs/outbox'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}${result.stderr}`);
}

/** A running `test/crash/crash-app.js` with the lines it printed. */
export class ChildApp {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private output = '';

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [join(__dirname, '..', 'crash', 'crash-app.js')], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      const parts = this.output.split('\n');
      this.output = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    let stderr = '';
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        if (code) this.lines.push(`exit ${code}: ${stderr}`);
        resolve(code);
      }),
    );
  }

  /** Resolves once the app printed `line` (bounded: rejects with what it printed after `timeoutMs`). */
  async printed(line: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.includes(line)) {
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`the app did not print "${line}"; it printed:\n${this.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGKILL: no shutdown hook, no ack, no commit runs. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the graceful shutdown. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
