import { Logger, LoggerService } from '@nestjs/common';
import { ConfigurationError } from '@databus/common';
import { createQueueLogger } from './queue-logger';

describe('createQueueLogger', () => {
  it("defaults to Nest's Logger with the connection's context", () => {
    const logger = createQueueLogger(undefined, 'audit');
    expect(logger).toBeInstanceOf(Logger);
    expect((logger as Logger & { context?: string }).context).toBe('TaskQueue:audit');
  });

  it('passes the context to a custom LoggerService as the last argument', () => {
    const lines: unknown[][] = [];
    const custom: LoggerService = {
      log: (...args) => lines.push(['log', ...args]),
      warn: (...args) => lines.push(['warn', ...args]),
      error: (...args) => lines.push(['error', ...args]),
    };
    const logger = createQueueLogger(custom, 'default');
    logger.log('up');
    logger.warn('slow');
    logger.error('down');
    logger.debug?.('ignored: the custom logger has no debug');
    expect(lines).toEqual([
      ['log', 'up', 'TaskQueue:default'],
      ['warn', 'slow', 'TaskQueue:default'],
      ['error', 'down', 'TaskQueue:default'],
    ]);
  });

  it('is silent with false and refuses anything that is not a logger', () => {
    expect(() => createQueueLogger(false, 'default').error('nobody hears this')).not.toThrow();
    expect(() => createQueueLogger({} as LoggerService, 'default')).toThrow(ConfigurationError);
    expect(() => createQueueLogger({} as LoggerService, 'default')).toThrow('TaskQueueModule.logger');
  });
});
