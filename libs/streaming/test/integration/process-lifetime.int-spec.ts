import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@databus/testing';

/**
 * A worker with no socket of its own (memory transport, no HTTP server) must stay alive while it waits for
 * messages or sits in a retry backoff, and must exit promptly once closed: no timer or socket may keep a
 * closed app alive, and none may let a running one die.
 */
describe('process lifetime of a worker-only app', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('stays alive while idle and during a retry backoff, then exits promptly on SIGTERM', async () => {
    const out: string[] = [];
    let exitCode: number | null | undefined;
    child = spawn(process.execPath, [
      '-r',
      join(__dirname, '../../../../test/ts-register.js'),
      join(__dirname, '../fixtures/worker-app.ts'),
    ]);
    child.stdout.on('data', (d) => out.push(...d.toString().split('\n').filter(Boolean)));
    child.on('exit', (code) => (exitCode = code));
    await waitFor(() => out.includes('ready'), { timeoutMs: 20_000, message: 'the worker to start' });

    await new Promise((r) => setTimeout(r, 1500));
    expect(exitCode).toBeUndefined(); // idle, waiting for messages

    child.stdin.write(JSON.stringify({ fail: true, n: 0 }) + '\n');
    await new Promise((r) => setTimeout(r, 800));
    expect(exitCode).toBeUndefined(); // inside a 1.5 s retry backoff

    child.stdin.write(JSON.stringify({ n: 1 }) + '\n');
    await waitFor(() => out.includes('handled 1'), { timeoutMs: 10_000, message: 'the next message' });

    const stopping = Date.now();
    child.kill('SIGTERM');
    await waitFor(() => exitCode !== undefined, {
      timeoutMs: 15_000,
      message: 'the worker to exit after SIGTERM',
    });
    expect(Date.now() - stopping).toBeLessThan(12_000);
  }, 60_000);
});
