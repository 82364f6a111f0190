import type { ChannelModel } from 'amqplib';
import type { LoggerService } from '@nestjs/common';
import { AmqpClient } from '@databus/common/amqp';
import type { ResolvedTaskQueueOptions } from '../../options/resolve-options';
import { CLOSED, NOT_CONNECTED, RECONNECTED } from '../../queue.messages';
import { StatusEmitter } from '../status-emitter';
import { amqpTarget } from './rabbitmq.connect-options';
import { mapAmqpError } from './rabbitmq-error.mapper';

/** Runs on every new connection before it is announced; a throw discards the connection and retries. */
export type OnConnected = (connection: ChannelModel, generation: number) => Promise<number>;

/**
 * The queue's view of the shared AMQP client (`@databus/common/amqp`): the first connect is bounded by
 * `connectTimeoutMs` (permanent failures at once), then after any loss one reconnect loop with backoff
 * rotating through the cluster's hosts. `onConnected` (topology, publisher, consumers) runs exactly once per
 * new connection, before waiters wake.
 */
export class ConnectionSupervisor {
  private readonly client: AmqpClient;

  constructor(
    private readonly options: ResolvedTaskQueueOptions,
    onConnected: OnConnected,
    status: StatusEmitter,
    logger: LoggerService,
    connectionName: string,
  ) {
    this.client = new AmqpClient({
      target: amqpTarget(options, connectionName),
      credentials: options.credentials,
      reconnect: options.reconnect,
      connectTimeoutMs: options.connectTimeoutMs,
      where: options.safeUrl,
      logger: { log: (m) => logger.log(m), warn: (m) => logger.warn(m), debug: (m) => logger.debug?.(m) },
      closedMessage: CLOSED,
      onConnected: async (connection, generation) => {
        let consumers: number;
        try {
          consumers = await onConnected(connection, generation);
        } catch (error) {
          throw mapAmqpError(error, options.safeUrl);
        }
        if (generation > 1) logger.log(RECONNECTED(options.safeUrl, consumers));
      },
      onStatus: (event) => {
        if (event.type !== 'connecting') status.emit(event);
      },
    });
  }

  /** The generation of the current connection (increments on every reconnect). */
  get generation(): number {
    return this.client.generation;
  }

  /** The open connection, if any. */
  get current(): ChannelModel | undefined {
    return this.client.current;
  }

  /** The first connect; on failure the client is closed (a late connection is closed, not kept). */
  async start(): Promise<void> {
    try {
      await this.client.start();
    } catch (error) {
      await this.client.close();
      throw error;
    }
  }

  /** Resolves with the open connection, waiting for a reconnect up to `timeoutMs`; else `TemporaryError`. */
  whenConnected(timeoutMs: number): Promise<ChannelModel> {
    return this.client.whenConnected(timeoutMs, NOT_CONNECTED(this.options.safeUrl, timeoutMs));
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
