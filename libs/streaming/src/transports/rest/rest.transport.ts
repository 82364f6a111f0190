import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import {
  AuthenticationError,
  describeAttempt,
  PermanentError,
  retry,
  UnsupportedFeatureError,
} from '@databus/common';
import { describeBrokerUrl, readBrokerCredentials } from '@databus/common/internal';
import { NoCommittedPositionError, SubscriptionClosedError } from '../../errors';
import { BaseTransport } from '../../transport/base-transport';
import { defineCapabilities } from '../../transport/transport-capabilities';
import { IncomingRecord, OutgoingRecord, ProduceResult } from '../../transport/transport-record.interface';
import {
  StreamingTransport,
  SubscriptionSpec,
  TransportContext,
  TransportSubscription,
} from '../../transport/transport.interface';
import { RestConsumer } from './rest-consumer';
import { isSuccess, statusError } from './rest-errors';
import { createHttpAgent } from '../../http/http-request';
import { RestEndpoint, RestSession } from './rest-session';
import { consumerConfigs, RECORDS_CONTENT_TYPE, toWireRecord } from './rest-wire';
import { resolveRestOptions, ResolvedRestOptions } from './rest.options';
import { RestSubscription } from './rest.subscription';

const CAPABILITIES = defineCapabilities({
  seekBySequence: false,
  seekByTime: false,
  seek: false,
  requestReply: false,
  ackMode: 'position',
  nack: false,
  // Sent as the consumer's configs (request.timeout.ms, session.timeout.ms, extra configs as they are).
  channelSettings: { requestTimeoutMs: true, sessionTimeoutMs: true, extraConfigs: 'any' },
  // The service subscribes to topic names only and has no topic listing.
  datasetPatterns: false,
});

/**
 * The REST streaming service transport (`rest+https://host[:port][/base]`, `rest+http://…`): the seed
 * channel's consumer service (consumers in groups, records, offsets) and producer service (`/produce`).
 * A dataset is a topic; each subscription is one consumer of its group (a private subscription gets a group
 * of its own). No seek and no request/response: both are declared in `capabilities` and refused with
 * `UnsupportedFeatureError`. See libs/streaming/docs/rest.md.
 */
export class RestStreamingTransport
  extends BaseTransport<RestSubscription, 'rest'>
  implements StreamingTransport
{
  readonly options: ResolvedRestOptions;
  private readonly agent: http.Agent;
  private readonly endpoint: RestEndpoint;
  private readonly producer: RestSession;
  private readonly closing = new AbortController();
  private pollFailures = 0;

  constructor(context: TransportContext) {
    super('rest', CAPABILITIES, context);
    this.options = resolveRestOptions(context.url, context.secure, context.transportOptions);
    this.agent = createHttpAgent(context.secure, context.tls, context.url.hosts[0]?.host ?? '');
    this.endpoint = {
      agent: this.agent,
      baseUrl: this.options.baseUrl,
      httpTimeoutMs: this.options.httpTimeoutMs,
      credentials: context.credentials,
    };
    this.producer = new RestSession(this.endpoint);
  }

  /** Obtains the first token (a refused login fails here); the service itself is reached by the first call. */
  async connect(): Promise<void> {
    this.assertOpen('connect');
    await readBrokerCredentials(this.context.credentials, describeBrokerUrl(this.context.url));
    this.statusEmitter.set({ type: 'connected' });
  }

  /**
   * `POST {producerPathPrefix}/produce` with the vendor content type. Temporary failures are retried with
   * the reconnect backoff for up to `produceTimeoutMs`; a refusal (4xx) fails at once.
   */
  async produce(dataset: string, records: readonly OutgoingRecord[]): Promise<ProduceResult[]> {
    this.assertOpen('produce');
    const body = { records: records.map((record) => toWireRecord(dataset, record)) };
    await retry(
      async (_attempt, signal) => {
        const response = await this.producer.send({
          method: 'POST',
          path: `${this.options.producerPathPrefix}/produce`,
          json: body,
          contentType: RECORDS_CONTENT_TYPE,
          signal,
        });
        if (!isSuccess(response.status)) throw statusError(`Producing to "${dataset}"`, response, false);
      },
      {
        attempts: Number.POSITIVE_INFINITY,
        deadlineMs: this.context.produceTimeoutMs,
        backoff: this.context.reconnect,
      },
      {
        deadlineOption: 'StreamingModule.produceTimeoutMs',
        onAttempt: (report) => this.context.logger.warn(describeAttempt(`Producing to "${dataset}"`, report)),
        signal: this.closing.signal,
      },
    );
    return records.map(() => ({}));
  }

  /** Creates a consumer in the group (or a private group), with its configs, and subscribes it. */
  async subscribe(spec: SubscriptionSpec): Promise<TransportSubscription> {
    this.assertOpen('subscribe');
    if (spec.start.kind === 'none' && spec.group === undefined)
      throw new NoCommittedPositionError(spec.dataset, undefined);
    const group = spec.group ?? `databus-private-${this.context.clientId}-${randomUUID()}`;
    const consumer = new RestConsumer(this.endpoint, this.options.consumerPathPrefix, group, spec.dataset);
    await consumer.create(consumerConfigs(spec.start, spec.consumerConfig));
    try {
      await consumer.subscribe();
    } catch (error) {
      await consumer.delete().catch(() => undefined);
      // The service refuses a group without committed offsets when auto.offset.reset is "none".
      if (
        spec.start.kind === 'none' &&
        error instanceof PermanentError &&
        !(error instanceof AuthenticationError)
      )
        throw new NoCommittedPositionError(spec.dataset, spec.group);
      throw error;
    }
    const subscription = new RestSubscription(consumer, {
      prefetch: spec.prefetch,
      pollIntervalMs: this.options.pollIntervalMs,
      logger: this.context.logger,
      onPoll: (error) => this.onPoll(error),
      onClose: (sub) => this.subscriptions.delete(sub),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Refused: the service has no reply address (`capabilities.requestReply` is false). */
  async request(dataset: string): Promise<IncomingRecord> {
    throw new UnsupportedFeatureError(
      'rest',
      'request/response',
      `request("${dataset}"): the streaming service has no reply address`,
    );
  }

  /** Refused, as `request`. */
  async reply(replyTo: string): Promise<void> {
    throw new UnsupportedFeatureError(
      'rest',
      'request/response',
      `reply to "${replyTo}": the streaming service has no reply address`,
    );
  }

  /** Deletes every consumer of this transport and closes its sockets. */
  protected async shutdown(): Promise<void> {
    this.closing.abort(new SubscriptionClosedError('produce', 'rest transport'));
    await this.closeSubscriptions();
    this.agent.destroy();
  }

  private onPoll(error?: Error): void {
    if (this.closed) return;
    if (error) {
      this.pollFailures++;
      this.statusEmitter.set({
        type: 'reconnecting',
        attempt: this.pollFailures,
        delayMs: this.options.pollIntervalMs,
        error,
      });
    } else if (this.pollFailures > 0 || this.status.type !== 'connected') {
      this.pollFailures = 0;
      this.statusEmitter.set({ type: 'connected' });
    }
  }
}

/** Builds the REST streaming service transport. */
export const restTransportFactory = (context: TransportContext): StreamingTransport =>
  new RestStreamingTransport(context);
