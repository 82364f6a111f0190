import type { LoggerService } from '@nestjs/common';
import type { ResolvedTaskQueueOptions } from '../options/resolve-options';
import type { QueueBackend } from './queue-backend.interface';

/**
 * Creates the backend named by the URL scheme. amqplib is loaded only for `amqp(s)://`, so `memory://`
 * users do not need it installed.
 */
export async function createBackend(
  options: ResolvedTaskQueueOptions,
  logger: LoggerService,
  connectionName: string,
): Promise<QueueBackend> {
  if (options.backend === 'memory') {
    const { MemoryBackend } = await import('./memory/memory.backend');
    return new MemoryBackend({ broker: options.memoryBroker, publishTimeoutMs: options.publishTimeoutMs });
  }
  const { RabbitMqBackend } = await import('./rabbitmq/rabbitmq.backend');
  return new RabbitMqBackend(options, logger, connectionName);
}
