import { Logger, LoggerService } from '@nestjs/common';
import { ConfigurationError } from '@databus/common';

const SILENT: LoggerService = Object.freeze({
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
});

/**
 * The logger of one connection: Nest's `Logger` with context `TaskQueue:<name>` by default, nothing with
 * `false`, or the given `LoggerService` with that context passed as the last argument (Nest's convention).
 */
export function createQueueLogger(
  logger: LoggerService | false | undefined,
  connection: string,
): LoggerService {
  const context = `TaskQueue:${connection}`;
  if (logger === undefined) return new Logger(context);
  if (logger === false) return SILENT;
  if (
    !logger ||
    typeof logger.log !== 'function' ||
    typeof logger.warn !== 'function' ||
    typeof logger.error !== 'function'
  )
    throw new ConfigurationError('TaskQueueModule.logger', 'a LoggerService ({ log, warn, error }) or false');
  return {
    log: (message: unknown) => logger.log(message, context),
    warn: (message: unknown) => logger.warn(message, context),
    error: (message: unknown) => logger.error(message, context),
    debug: (message: unknown) => logger.debug?.(message, context),
    verbose: (message: unknown) => logger.verbose?.(message, context),
  };
}
