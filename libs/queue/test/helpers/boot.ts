import { DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CapturingLogger } from '@databus/testing';

/** One line a module logged during a boot attempt, as text. */
export interface LogLine {
  level: string;
  message: string;
}

/** Boots `module` in a fresh Nest context; returns the bootstrap error (or undefined) and the log lines. */
export async function bootstrapOutcome(module: DynamicModule): Promise<{ error: unknown; logs: LogLine[] }> {
  const logger = new CapturingLogger();
  const ref = await Test.createTestingModule({ imports: [module] }).compile();
  ref.useLogger(logger);
  let error: unknown;
  try {
    await ref.init();
  } catch (e) {
    error = e;
  }
  await ref.close().catch(() => undefined);
  return { error, logs: logger.lines.map((l) => ({ level: l.level, message: String(l.message) })) };
}
