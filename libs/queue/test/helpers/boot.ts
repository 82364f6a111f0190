import { DynamicModule, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';

/** One line a module logged during a boot attempt. */
export interface LogLine {
  level: 'log' | 'warn' | 'error' | 'debug' | 'verbose';
  message: string;
}

/** Records what Nest's `Logger` receives (the libs log through it when no `logger` option is set). */
class RecordingLogger implements LoggerService {
  readonly lines: LogLine[] = [];
  log = (message: unknown): void => void this.lines.push({ level: 'log', message: String(message) });
  warn = (message: unknown): void => void this.lines.push({ level: 'warn', message: String(message) });
  error = (message: unknown): void => void this.lines.push({ level: 'error', message: String(message) });
  debug = (message: unknown): void => void this.lines.push({ level: 'debug', message: String(message) });
  verbose = (message: unknown): void => void this.lines.push({ level: 'verbose', message: String(message) });
}

/** Boots `module` in a fresh Nest context; returns the bootstrap error (or undefined) and the log lines. */
export async function bootstrapOutcome(module: DynamicModule): Promise<{ error: unknown; logs: LogLine[] }> {
  const logger = new RecordingLogger();
  const ref = await Test.createTestingModule({ imports: [module] }).compile();
  ref.useLogger(logger);
  let error: unknown;
  try {
    await ref.init();
  } catch (e) {
    error = e;
  }
  await ref.close().catch(() => undefined);
  return { error, logs: logger.lines };
}
