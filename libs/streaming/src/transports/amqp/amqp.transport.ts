import { ConfigurationError, PermanentError } from '@databus/common';
import { AmqpConfirmPublisher, AmqpPublication } from '@databus/common/amqp';
import type { ResolvedAmqpDataset } from '../../transport/amqp-dataset';
import { BaseTransport, Closable } from '../../transport/base-transport';
import { defineCapabilities } from '../../transport/transport-capabilities';
import { IncomingRecord, OutgoingRecord, ProduceResult } from '../../transport/transport-record.interface';
import {
  StreamingTransport,
  SubscriptionSpec,
  TransportContext,
  TransportSubscription,
} from '../../transport/transport.interface';
import { AmqpConnection, CLOSED } from './amqp-connection';
import { AmqpRequester } from './amqp-requests';
import { AmqpTopology } from './amqp-topology';
import { publishOptions, PublishStamp } from './amqp-wire';
import { ResolvedAmqpOptions, resolveAmqpOptions } from './amqp.options';
import { AmqpQueueSubscription } from './amqp-queue.subscription';
import { AmqpSubscription } from './amqp.subscription';

// No consumer setting: the heartbeat that detects a dead member is the connection's, shared by every
// subscription; RabbitMQ streams have no consumer (delivery) timeout; broker calls are bounded by produceTimeoutMs.
const CAPABILITIES = defineCapabilities({
  ackMode: 'position',
  nack: false,
  pipelinedAcks: true, // a subscription writes one group position at a time, the newest acknowledged
  // AMQP 0-9-1 has no way to list the streams (queues) that exist.
  datasetPatterns: false,
});

/** A stream or queue publish: a message no queue takes comes back and counts as not confirmed. */
const MANDATORY = Object.freeze({ mandatory: true });

/** How long `subscribe` waits for a lost connection before failing (the runtime then retries with backoff). */
const SUBSCRIBE_WAIT_MS = 5_000;

/**
 * The `amqp://` / `amqps://` transport: every dataset is a RabbitMQ stream (`x-queue-type: stream`), read
 * over AMQP 0-9-1 with `x-stream-offset`. Durable groups keep their committed offset in a one-message
 * queue per group and have one active member at a time (the holder of the group's exclusive lock queue).
 * See libs/streaming/docs/amqp.md for the wire format, the options and the delivery guarantees.
 */
export class AmqpTransport extends BaseTransport<Closable, 'amqp'> implements StreamingTransport {
  private readonly options: ResolvedAmqpOptions;
  private readonly connection: AmqpConnection;
  private readonly topology: AmqpTopology;
  private readonly publisher: AmqpConfirmPublisher;
  private readonly requester: AmqpRequester;

  constructor(context: TransportContext) {
    super('amqp', CAPABILITIES, context);
    this.options = resolveAmqpOptions(context.transportOptions, (message) => context.logger.warn(message));
    this.connection = new AmqpConnection(context, this.options, this.statusEmitter);
    this.topology = new AmqpTopology(this.connection, this.options.streamArguments, context.logger);
    this.publisher = new AmqpConfirmPublisher({
      where: this.connection.where,
      timeout: { option: 'produceTimeoutMs', ms: context.produceTimeoutMs },
      closedMessage: CLOSED,
      connection: (timeoutMs) => this.connection.ready(timeoutMs),
      onReturned: (queue) => this.topology.forget(queue),
    });
    this.requester = new AmqpRequester(this.connection);
  }

  async connect(): Promise<void> {
    this.assertOpen('connect');
    await this.connection.open();
  }

  async produce(dataset: string, records: readonly OutgoingRecord[]): Promise<ProduceResult[]> {
    this.assertOpen('produce');
    if (records.length === 0) return [];
    const target = records[0].amqp;
    if (records.some((r) => r.amqp?.key !== target?.key))
      throw new ConfigurationError(
        'produce: amqp',
        `the same amqp option for every message produced to "${dataset}" at once`,
      );
    if (target) return this.produceToTarget(dataset, target, records);
    const stamp = new PublishStamp();
    const publications = new Array<AmqpPublication>(records.length);
    for (let i = 0; i < records.length; i++)
      publications[i] = {
        exchange: '',
        routingKey: dataset,
        content: records[i].data,
        options: publishOptions(records[i], MANDATORY, stamp),
      };
    await this.publisher.publishBatch(publications, stamp.now + this.context.produceTimeoutMs, (remaining) =>
      this.topology.ensureStream(dataset, remaining),
    );
    // A confirm does not carry the stream offset, so results have no sequence.
    return records.map(() => ({}));
  }

  /** A dataset kept as a plain queue (default exchange, by name) or a fanout exchange (`amqp` option). */
  private async produceToTarget(
    dataset: string,
    target: ResolvedAmqpDataset,
    records: readonly OutgoingRecord[],
  ): Promise<ProduceResult[]> {
    const stamp = new PublishStamp();
    const toExchange = target.kind === 'exchange';
    await this.publisher.publishBatch(
      records.map((record) => ({
        exchange: toExchange ? dataset : '',
        routingKey: toExchange ? '' : dataset,
        content: record.data,
        // A fanout exchange nobody listens to drops the message, as it does for pika: not a failure.
        options: publishOptions(record, toExchange ? {} : MANDATORY, stamp),
      })),
      stamp.now + this.context.produceTimeoutMs,
      (remaining) => this.topology.ensureTarget(dataset, target, remaining),
    );
    return records.map(() => ({}));
  }

  async subscribe(spec: SubscriptionSpec): Promise<TransportSubscription> {
    this.assertOpen('subscribe');
    const timeoutMs = Math.min(this.context.produceTimeoutMs, SUBSCRIBE_WAIT_MS);
    if (spec.amqp) return this.subscribeToTarget(spec, spec.amqp, timeoutMs);
    await this.topology.ensureStream(spec.dataset, timeoutMs);
    if (spec.group !== undefined)
      await this.topology.ensureOffsetQueue(spec.dataset, spec.group, spec.groupExpiryMs, timeoutMs);
    const sub = new AmqpSubscription(
      spec,
      {
        connection: this.connection,
        topology: this.topology,
        logger: this.context.logger,
        operationTimeoutMs: timeoutMs,
        lockPollMs: this.options.lockPollMs,
      },
      (s) => this.subscriptions.delete(s),
    );
    return this.started(sub);
  }

  private async subscribeToTarget(
    spec: SubscriptionSpec,
    target: ResolvedAmqpDataset,
    timeoutMs: number,
  ): Promise<TransportSubscription> {
    await this.topology.ensureTarget(spec.dataset, target, timeoutMs);
    const sub = new AmqpQueueSubscription(spec, target, {
      connection: this.connection,
      operationTimeoutMs: timeoutMs,
      onClose: (s) => this.subscriptions.delete(s),
    });
    return this.started(sub);
  }

  /** Tracks a new subscription and starts it; one that fails to start is closed. */
  private async started<S extends TransportSubscription & { start(): Promise<void> }>(sub: S): Promise<S> {
    this.subscriptions.add(sub);
    try {
      await sub.start();
    } catch (error) {
      await sub.close();
      throw error;
    }
    return sub;
  }

  async request(dataset: string, record: OutgoingRecord, timeoutMs: number): Promise<IncomingRecord> {
    this.assertOpen('request');
    return this.requester.request(dataset, record, timeoutMs, (remaining) =>
      this.topology.ensureStream(dataset, remaining),
    );
  }

  async reply(replyTo: string, correlationId: string | undefined, record: OutgoingRecord): Promise<void> {
    this.assertOpen('reply');
    await this.publisher.publish({
      exchange: '',
      routingKey: replyTo,
      content: record.data,
      options: publishOptions(record, { correlationId }),
      deadline: Date.now() + this.context.produceTimeoutMs,
    });
  }

  protected async shutdown(): Promise<void> {
    await this.closeSubscriptions();
    await this.requester.close();
    await this.publisher.close();
    await this.connection.close();
  }
}

/** Builds the amqp transport; invalid `transportOptions` fail here with a `ConfigurationError`. */
export const amqpTransportFactory = (context: TransportContext): StreamingTransport => {
  if (context.url.hosts.length === 0)
    throw new PermanentError('The amqp transport needs at least one broker host in its URL.');
  return new AmqpTransport(context);
};
