import { assertDuration, assertNonEmptyString, ConfigurationError } from '@databus/common';
import { RemoteHandlerError } from '../errors';
import { encodePayload } from '../message/codec';
import { DatasetMessage } from '../message/dataset-message';
import { DatabusHeaders } from '../message/headers';
import { resolveConsumerOptions } from '../options/resolve-consumer-options';
import { ConsumerOptions } from '../options/streaming-options.interface';
import { ConsumerRunner } from '../runtime/consumer-runner';
import { MessageProcessor } from '../runtime/message-processor';
import { DEFAULT_PULL_MAX_WAIT_MS } from '../streaming.constants';
import { MessageHeaders, OutgoingRecord, ProduceResult } from '../transport/transport-record.interface';
import { TransportCapabilities } from '../transport/transport-capabilities';
import { TransportName } from '../transport/transport.interface';
import { ConsumerGroupChannel, OpenChannelOptions } from './consumer-group-channel';
import { StreamingConnection } from './streaming-connection';
import { Subscription } from './subscription';

/** Options of `produce`. @publicApi */
export interface ProduceOptions {
  /** Ordering key: messages with the same key are consumed in order. */
  key?: string;
  headers?: MessageHeaders;
}

/** One message of `produceMany`. @publicApi */
export interface ProduceMessage extends ProduceOptions {
  value: unknown;
}

/** Options of `subscribe`. @publicApi */
export interface SubscribeOptions extends ConsumerOptions {
  /**
   * Handle messages with this function instead of iterating: it gets the handler semantics (retry with
   * backoff, dead-letter after the last attempt, concurrency with per-key order).
   */
  callback?: (message: DatasetMessage) => unknown | Promise<unknown>;
}

/** Options of `request`. @publicApi */
export interface RequestOptions extends ProduceOptions {
  /** @default the module's `requestTimeoutMs` (30 s) */
  timeoutMs?: number;
}

/**
 * The entry point for producing, subscribing and request/response on a streaming connection.
 * Inject it (`constructor(private readonly channel: ChannelService)`; `@InjectChannel(name)` for a named
 * connection).
 * @publicApi
 */
export class ChannelService {
  /** @internal Provided by `StreamingModule`. */
  constructor(private readonly connection: StreamingConnection) {}

  /** The transport in use: `memory`, `kafka`, `amqp`, `mqtt` or `nats`. */
  get transportName(): TransportName {
    return this.connection.transport.name;
  }

  /** What the transport supports (seek, history, request/reply…). */
  get capabilities(): TransportCapabilities {
    return this.connection.transport.capabilities;
  }

  /**
   * Produces one message and resolves once the broker has it. Objects are sent as JSON, strings as text,
   * Buffers as bytes. During a broker outage it waits up to `produceTimeoutMs`, then fails with `TemporaryError`.
   */
  async produce(dataset: string, value: unknown, options: ProduceOptions = {}): Promise<ProduceResult> {
    const [result] = await this.produceMany(dataset, [{ value, ...options }]);
    return result;
  }

  /** Produces several messages in one call; messages with the same key keep their order. */
  async produceMany(dataset: string, messages: readonly ProduceMessage[]): Promise<ProduceResult[]> {
    assertNonEmptyString(dataset, 'produce: dataset');
    if (!Array.isArray(messages))
      throw new ConfigurationError('produceMany: messages', 'an array of { value, key?, headers? }');
    return this.connection.transport.produce(
      dataset,
      messages.map((m) => toRecord(m.value, m)),
    );
  }

  /**
   * Subscribes to a dataset. Without `callback`, iterate the returned `Subscription`; with it, the callback
   * handles messages until `close()`. Fails at once with `UnsupportedFeatureError` when the transport cannot
   * honour `offset`, and with `NoCommittedPositionError` for `offset: 'none'` on a group with no position.
   */
  async subscribe(dataset: string, options: SubscribeOptions = {}): Promise<Subscription> {
    const { callback, ...consumer } = options;
    if (callback !== undefined && typeof callback !== 'function')
      throw new ConfigurationError(`subscribe('${dataset}'): callback`, 'a function');
    const opts = this.connection.options;
    const where = `subscribe('${dataset}')`;
    const resolved = resolveConsumerOptions(
      dataset,
      consumer,
      opts.consumerDefaults,
      { group: opts.group, maxWaitMs: DEFAULT_PULL_MAX_WAIT_MS },
      where,
    );
    const transport = this.connection.transport;
    const source = await this.connection.openSource(
      {
        dataset,
        group: resolved.group,
        start: resolved.offset,
        prefetch: resolved.prefetch,
        groupExpiryMs: opts.groupExpiryMs,
      },
      where,
    );
    let runner: ConsumerRunner | undefined;
    if (callback) {
      const abort = new AbortController();
      const processor = new MessageProcessor(
        (_payload, message) => callback(message),
        {
          dataset,
          group: resolved.group,
          decode: 'raw',
          attempts: resolved.attempts,
          backoff: resolved.backoff,
          deadLetter: resolved.deadLetter,
          reconnect: opts.reconnect,
        },
        transport,
        this.connection.logger,
        abort.signal,
      );
      runner = new ConsumerRunner(
        source,
        processor,
        { ...resolved, brokerNack: transport.capabilities.nack },
        this.connection.logger,
      );
      runner.signal.addEventListener('abort', () => abort.abort(runner?.signal.reason), { once: true });
    }
    let untrack: () => void = () => undefined;
    const subscription = new Subscription(
      dataset,
      resolved.group,
      source,
      { ...resolved, brokerNack: transport.capabilities.nack },
      runner,
      opts.shutdownTimeoutMs,
      () => untrack(),
    );
    untrack = this.connection.track(subscription);
    runner?.start();
    return subscription;
  }

  /**
   * Sends `payload` to the handler of `dataset` and resolves with its reply. Rejects with
   * `RequestTimeoutError` after `timeoutMs`, and with `RemoteHandlerError` when the handler failed.
   */
  async request(dataset: string, payload: unknown, options: RequestOptions = {}): Promise<DatasetMessage> {
    assertNonEmptyString(dataset, 'request: dataset');
    const timeoutMs = assertDuration(
      options.timeoutMs ?? this.connection.options.requestTimeoutMs,
      `request('${dataset}'): timeoutMs`,
      1,
    );
    const reply = await this.connection.transport.request(dataset, toRecord(payload, options), timeoutMs);
    const remoteError = reply.headers[DatabusHeaders.ERROR_NAME];
    if (remoteError)
      throw new RemoteHandlerError(dataset, remoteError, reply.headers[DatabusHeaders.ERROR_MESSAGE] ?? '');
    return new DatasetMessage(reply);
  }

  /**
   * Opens a consumer-group channel with the channel client's verbs: `subscribe`, `consume`, `commit`,
   * `produce`, `run`, `stop`, `reset`, `destroy`.
   */
  open(options: OpenChannelOptions): ConsumerGroupChannel {
    return new ConsumerGroupChannel(this.connection, this, options);
  }
}

function toRecord(value: unknown, options: ProduceOptions): OutgoingRecord {
  const { data, contentType } = encodePayload(value);
  if (options.key !== undefined && typeof options.key !== 'string')
    throw new ConfigurationError('produce: key', 'a string');
  return {
    key: options.key,
    headers: { [DatabusHeaders.CONTENT_TYPE]: contentType, ...(options.headers ?? {}) },
    data,
  };
}
