import { PermanentError } from '@databus/common';
import { SubscriptionClosedError } from '../../errors';
import { TransportCapabilities } from '../../transport/transport-capabilities';
import { IncomingRecord, OutgoingRecord, ProduceResult } from '../../transport/transport-record.interface';
import { StatusEmitter, TransportStatus, TransportStatusListener } from '../../transport/transport-status';
import {
  StreamingTransport,
  SubscriptionSpec,
  TransportContext,
  TransportSubscription,
} from '../../transport/transport.interface';
import { AmqpConnection } from './amqp-connection';
import { AmqpPublisher } from './amqp-publisher';
import { AmqpRequester } from './amqp-requests';
import { AmqpTopology } from './amqp-topology';
import { publishOptions } from './amqp-wire';
import { ResolvedAmqpOptions, resolveAmqpOptions } from './amqp.options';
import { AmqpSubscription } from './amqp.subscription';

const CAPABILITIES: TransportCapabilities = Object.freeze({
  seekBySequence: true,
  seekByTime: true,
  seek: true,
  history: true,
  durableGroups: true,
  requestReply: true,
  ackMode: 'position',
  nack: false,
  // The heartbeat that detects a dead member is the connection's, shared by every subscription; RabbitMQ
  // streams have no consumer (delivery) timeout; broker calls are bounded by produceTimeoutMs.
  channelSettings: Object.freeze({ requestTimeoutMs: false, sessionTimeoutMs: false, extraConfigs: [] }),
});

/** How long `subscribe` waits for a lost connection before failing (the runtime then retries with backoff). */
const SUBSCRIBE_WAIT_MS = 5_000;

/**
 * The `amqp://` / `amqps://` transport: every dataset is a RabbitMQ stream (`x-queue-type: stream`), read
 * over AMQP 0-9-1 with `x-stream-offset`. Durable groups keep their committed offset in a one-message
 * queue per group and have one active member at a time (the holder of the group's exclusive lock queue).
 * See libs/streaming/docs/amqp.md for the wire format, the options and the delivery guarantees.
 */
export class AmqpTransport implements StreamingTransport {
  readonly name = 'amqp' as const;
  readonly capabilities = CAPABILITIES;
  private readonly options: ResolvedAmqpOptions;
  private readonly statusEmitter = new StatusEmitter();
  private readonly connection: AmqpConnection;
  private readonly topology: AmqpTopology;
  private readonly publisher: AmqpPublisher;
  private readonly requester: AmqpRequester;
  private readonly subscriptions = new Set<AmqpSubscription>();
  private closed = false;

  constructor(private readonly context: TransportContext) {
    this.options = resolveAmqpOptions(context.transportOptions);
    this.connection = new AmqpConnection(context, this.options, this.statusEmitter);
    this.topology = new AmqpTopology(this.connection, this.options.streamArguments, context.logger);
    this.publisher = new AmqpPublisher(this.connection, (queue) => this.topology.forget(queue));
    this.requester = new AmqpRequester(this.connection);
  }

  get status(): TransportStatus {
    return this.statusEmitter.status;
  }

  onStatus(listener: TransportStatusListener): () => void {
    return this.statusEmitter.on(listener);
  }

  async connect(): Promise<void> {
    this.assertOpen('connect');
    await this.connection.open();
  }

  async produce(dataset: string, records: readonly OutgoingRecord[]): Promise<ProduceResult[]> {
    this.assertOpen('produce');
    if (records.length === 0) return [];
    const now = Date.now();
    await this.publisher.publish(
      records.map((record) => ({
        routingKey: dataset,
        content: record.data,
        options: { ...publishOptions(record, {}, now), mandatory: true },
      })),
      this.context.produceTimeoutMs,
      (remaining) => this.topology.ensureStream(dataset, remaining),
    );
    // A confirm does not carry the stream offset, so results have no sequence.
    return records.map(() => ({}));
  }

  async subscribe(spec: SubscriptionSpec): Promise<TransportSubscription> {
    this.assertOpen('subscribe');
    const timeoutMs = Math.min(this.context.produceTimeoutMs, SUBSCRIBE_WAIT_MS);
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
    await this.publisher.publish(
      [{ routingKey: replyTo, content: record.data, options: publishOptions(record, { correlationId }) }],
      this.context.produceTimeoutMs,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    await this.requester.close();
    await this.publisher.close();
    await this.connection.close();
    this.statusEmitter.set({ type: 'closed' });
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new SubscriptionClosedError(operation, 'amqp transport');
  }
}

/** Builds the amqp transport; invalid `transportOptions` fail here with a `ConfigurationError`. */
export const amqpTransportFactory = (context: TransportContext): StreamingTransport => {
  if (context.url.hosts.length === 0)
    throw new PermanentError('The amqp transport needs at least one broker host in its URL.');
  return new AmqpTransport(context);
};
