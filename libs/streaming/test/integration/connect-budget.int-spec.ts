// The bootstrap connect budget (StreamingModule.connectTimeoutMs) on every transport: an unreachable port
// is retried with one WARN line per attempt, never a "Disconnected from" line for a connection never made,
// and fails with a TemporaryError naming the option once the budget is spent.
import { Test } from '@nestjs/testing';
import { StreamingModule, TemporaryError } from '@databus/streaming';
import { CapturingLogger } from '@databus/testing';

describe.each(['amqp', 'nats', 'mqtt', 'kafka'])('connectTimeoutMs on %s://', (scheme) => {
  it('retries an unreachable port within the budget, one WARN line per attempt, then names the option', async () => {
    const logger = new CapturingLogger();
    const ref = await Test.createTestingModule({
      imports: [
        StreamingModule.forRoot({
          url: `${scheme}://127.0.0.1:1`,
          connectTimeoutMs: 1500,
          reconnect: { initialMs: 100, maxMs: 200 },
        }),
      ],
    }).compile();
    ref.useLogger(logger);
    const error = await ref.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    await ref.close().catch(() => undefined);
    expect(error).toBeInstanceOf(TemporaryError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Could not connect to ${scheme}://127\\.0\\.0\\.1:1 within connectTimeoutMs = 1500 ms \\(last failure: .+\\)$`,
      ),
    );
    const warnings = logger.at('warn');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    warnings.forEach((line, i) =>
      expect(line).toMatch(
        new RegExp(`^Connecting to ${scheme}://127\\.0\\.0\\.1:1 failed \\(attempt ${i + 1}\\): `),
      ),
    );
    expect(logger.lines.some((l) => String(l.message).includes('Disconnected from'))).toBe(false);
  });
});

describe('StreamingModule.connectTimeoutMs validation', () => {
  it('refuses a budget that is not a positive duration, naming the option', async () => {
    const error = await Test.createTestingModule({
      imports: [StreamingModule.forRoot({ url: 'memory://budget', connectTimeoutMs: 0, logger: false })],
    })
      .compile()
      .then(
        (ref) => ref.close(),
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ name: 'ConfigurationError', option: 'StreamingModule.connectTimeoutMs' });
    expect((error as Error).message).toBe(
      'Invalid option "StreamingModule.connectTimeoutMs": expected a number of milliseconds >= 1, received 0.',
    );
  });
});
