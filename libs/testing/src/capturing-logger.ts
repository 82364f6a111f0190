/** One call a {@link CapturingLogger} received. */
export interface LogLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  /** The message as logged: a string, or whatever was passed (Nest's exception filter passes the Error). */
  message: unknown;
  /** The other arguments: a stack and/or the context, as Nest's `LoggerService` convention passes them. */
  params: unknown[];
}

/**
 * A Nest `LoggerService` (structurally) that records every call, for tests that assert what an app logs:
 * pass it to a module's `logger` option and to `app.useLogger()` (which routes Nest's own loggers to it).
 */
export class CapturingLogger {
  readonly lines: LogLine[] = [];

  log(message: unknown, ...params: unknown[]): void {
    this.lines.push({ level: 'log', message, params });
  }
  error(message: unknown, ...params: unknown[]): void {
    this.lines.push({ level: 'error', message, params });
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.lines.push({ level: 'warn', message, params });
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.lines.push({ level: 'debug', message, params });
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.lines.push({ level: 'verbose', message, params });
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.lines.push({ level: 'fatal', message, params });
  }

  /** The lines at `level`, messages as text. */
  at(level: LogLine['level']): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => String(l.message));
  }

  /** Lines whose context (last parameter) is `context`, e.g. Nest's `ExceptionsHandler`. */
  from(context: string): LogLine[] {
    return this.lines.filter((l) => l.params[l.params.length - 1] === context);
  }
}
