import { createHash } from 'node:crypto';
import type { ChannelModel } from 'amqplib';
import { ConfigurationError } from '@databus/common';
import { errorMessage, PromiseMemo } from '@databus/common/internal';
import { amqpDeclarationMismatch, amqpExchangeArgs, amqpQueueArgs } from '@databus/common/amqp';
import type { ResolvedAmqpDataset } from '../../transport/amqp-dataset';
import { TransportLogger } from '../../transport/transport.interface';
import { AmqpConnection } from './amqp-connection';
import { AmqpReplyCode, mapChannelError, replyCode } from './amqp-error.mapper';

const MAX_QUEUE_NAME = 255;

/** A queue name within RabbitMQ's 255-byte limit: long names keep a readable prefix and a digest. */
export function queueName(prefix: string, dataset: string, group: string): string {
  const name = `${prefix}.${dataset}.${group}`;
  if (Buffer.byteLength(name) <= MAX_QUEUE_NAME) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 32);
  return `${name.slice(0, 200)}.${digest}`;
}

/** The exclusive queue whose owner is the active member of `group` on `dataset`. */
export const lockQueueName = (dataset: string, group: string): string =>
  queueName('databus.lock', dataset, group);

/** The durable one-message queue holding the committed position of `group` on `dataset`. */
export const offsetQueueName = (dataset: string, group: string): string =>
  queueName('databus.offset', dataset, group);

/**
 * Declares what the transport needs on the broker: a stream per dataset (with the configured retention)
 * and a position store per group. Declarations run on throwaway channels, because a refused declaration
 * closes its channel; a stream that already exists with other arguments (created by someone else) is
 * used as it is.
 */
export class AmqpTopology {
  private readonly streams = new PromiseMemo<string, void>();
  private readonly targets = new PromiseMemo<string, void>();
  private model?: ChannelModel;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly streamArguments: Record<string, unknown>,
    private readonly logger: TransportLogger,
  ) {}

  /** Declares the stream of `dataset` once per connection. */
  ensureStream(dataset: string, timeoutMs: number): Promise<void> {
    this.forgetStaleConnection();
    return this.streams.get(dataset, () =>
      this.declare(
        dataset,
        { durable: true, arguments: this.streamArguments },
        `Declaring the stream of dataset "${dataset}"`,
        timeoutMs,
      ),
    );
  }

  /**
   * Declares the plain queue or fanout exchange a dataset is kept as (`amqp` option) once per connection
   * and declaration. One that exists with other flags or arguments is a `ConfigurationError` naming the
   * dataset and the option that differs.
   */
  ensureTarget(dataset: string, target: ResolvedAmqpDataset, timeoutMs: number): Promise<void> {
    this.forgetStaleConnection();
    return this.targets.get(`${target.key}|${dataset}`, () => this.declareTarget(dataset, target, timeoutMs));
  }

  private async declareTarget(
    dataset: string,
    target: ResolvedAmqpDataset,
    timeoutMs: number,
  ): Promise<void> {
    const channel = await this.connection.channel(false, timeoutMs);
    try {
      if (target.kind === 'queue') await channel.assertQueue(dataset, amqpQueueArgs(target.declare));
      else await channel.assertExchange(dataset, 'fanout', amqpExchangeArgs(target.declare));
    } catch (error) {
      throw (
        amqpDeclarationMismatch(error, { kind: target.kind, name: dataset, option: target.option }) ??
        mapChannelError(error, `Declaring the ${target.kind} of dataset "${dataset}"`)
      );
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Forgets that the stream of `dataset` was declared (it was deleted): the next use declares it again. */
  forget(dataset: string): void {
    this.streams.delete(dataset);
  }

  /** Declares the position store of a group; its `x-expires` forgets a group unused for `expiryMs`. */
  ensureOffsetQueue(dataset: string, group: string, expiryMs: number, timeoutMs: number): Promise<void> {
    return this.declare(
      offsetQueueName(dataset, group),
      {
        durable: true,
        arguments: {
          'x-queue-type': 'classic',
          'x-max-length': 1,
          'x-overflow': 'drop-head',
          'x-expires': Math.min(Math.max(expiryMs, 1000), 2 ** 31 - 1),
        },
      },
      `Declaring the position store of group "${group}" on "${dataset}"`,
      timeoutMs,
    );
  }

  private async declare(
    queue: string,
    options: { durable: boolean; arguments: Record<string, unknown> },
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    const channel = await this.connection.channel(false, timeoutMs);
    try {
      await channel.assertQueue(queue, options);
    } catch (error) {
      if (replyCode(error) !== AmqpReplyCode.PRECONDITION_FAILED) throw mapChannelError(error, what);
      const notStream = /inequivalent arg '(durable|x-queue-type)'/.exec(errorMessage(error));
      if (notStream && options.arguments['x-queue-type'] === 'stream')
        throw new ConfigurationError(
          'amqp',
          `a dataset that is a RabbitMQ stream, or the amqp option of its consumers and producers (e.g. amqp: { queue: { durable: false } }) to use the existing queue "${queue}" as it is declared (RabbitMQ refused the stream declaration: ${notStream[1]} differs)`,
          { cause: error },
        );
      // It exists with other arguments: use it as it is.
      const check = await this.connection.channel(false, timeoutMs);
      try {
        await check.checkQueue(queue);
        this.logger.debug(`Queue "${queue}" exists with other arguments than configured; using it as is`);
      } catch (checkError) {
        throw mapChannelError(checkError, what);
      } finally {
        await check.close().catch(() => undefined);
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private forgetStaleConnection(): void {
    const current = this.connection.current;
    if (current !== this.model) {
      this.model = current;
      this.streams.clear();
      this.targets.clear();
    }
  }
}
