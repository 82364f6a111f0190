import { assertDuration, assertNonEmptyString, ConfigurationError, noopMetrics } from '@databus/common';
import { TickCoalescer, tracingActive, withMessagingSpan } from '@databus/common/internal';
import { StreamingEventListener } from '../connection/streaming-events';
import { resolveAmqpDataset } from '../transport/amqp-dataset';
import {
  assertNotDatasetPattern,
  DatasetPattern,
  isDatasetPattern,
  parseDatasetPattern,
} from '../transport/dataset-pattern';
import { RemoteHandlerError } from '../errors';
import { encodePayloadText } from '../message/codec';
import { DatasetMessage } from '../message/dataset-message';
import { DatabusHeaders } from '../message/headers';
import { resolveConsumerOptions } from '../options/resolve-consumer-options';
import {
  ConsumerOptions,
  ProduceMessage,
  ProduceOptions,
  ProduceRecord,
} from '../options/streaming-options.interface';
import { createConsumerRunner } from '../connection/consumer-factory';
import { DEFAULT_PULL_MAX_WAIT_MS } from '../streaming.constants';
import { MessageHeaders, OutgoingRecord, ProduceResult } from '../transport/transport-record.interface';
import { TextRecord } from '../transport/text-record';
import { TransportCapabilities } from '../transport/transport-capabilities';
import { StreamingTransport, TransportName } from '../transport/transport.interface';
import { ConsumerGroupChannel, OpenChannelOptions } from './consumer-group-channel';
import { StreamingConnection } from '../connection/streaming-connection';
import { Subscription } from './subscription';
import { assertDatasetName } from '../transport/dataset-name';

const NO_OPTIONS: ProduceOptions = Object.freeze({});

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
  /** Same-tick `produce()` calls, sent as one transport batch per dataset. */
  private readonly coalescer: TickCoalescer<OutgoingRecord, ProduceResult>;

  /** @internal Provided by `StreamingModule`. */
  constructor(private readonly connection: StreamingConnection) {
    this.coalescer = new TickCoalescer((dataset, records, resolves, rejects) => {
      if (this.connection.transport.produceEach) return this.sendEach(dataset, records, resolves, rejects);
      return this.send(dataset, records).then((results) =>
        results.length === records.length ? results : records.map((_, i) => results[i] ?? {}),
      );
    });
  }

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
   * The `produce()` calls made in one tick go to the transport as one batch per dataset (one confirm wait,
   * one write); each still resolves only once the broker acknowledged its own message. With tracing on,
   * each call still gets its own `publish` span, carried in its message's headers, and still joins the batch.
   */
  produce(dataset: string, value: unknown, options?: ProduceOptions): Promise<ProduceResult>;
  /**
   * Produces records to several datasets in one call, each with its own dataset, key and headers (the seed
   * channel's `produce({ records })`). Every record is validated before any is sent; the records of each
   * dataset go as one `produceMany` batch, in the order given (same key, same order). Resolves with one
   * result per record, in input order, once the broker has all of them; rejects with the first failure (the
   * records of other datasets may then be stored already: retry is safe, delivery is at-least-once).
   * @example
   * ```ts
   * await channel.produce([
   *   { dataset: 'orders', key: 'c-1', value: { total: 3 } },
   *   { dataset: 'audit', value: 'order placed', headers: { source: 'shop' } },
   * ]);
   * ```
   */
  produce(records: readonly ProduceRecord[]): Promise<ProduceResult[]>;
  produce(
    datasetOrRecords: string | readonly ProduceRecord[],
    value?: unknown,
    options: ProduceOptions = NO_OPTIONS,
  ): Promise<ProduceResult | ProduceResult[]> {
    if (Array.isArray(datasetOrRecords)) return this.produceRecords(datasetOrRecords);
    const dataset = datasetOrRecords as string;
    // Not an async function: the caller gets the coalescer's own promise (no wrapper promise, no extra hop);
    // a bad argument still rejects rather than throws.
    let record: OutgoingRecord;
    try {
      assertNotDatasetPattern(dataset, 'produce: dataset');
      assertDatasetName(dataset, 'produce: dataset');
      record = toRecord(value, options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.connection.options.tracing || !tracingActive()) return this.coalescer.add(dataset, record);
    // A span per call, child of the caller's context, whose W3C context goes into this record's own headers;
    // the record still joins the tick's batch, and the span ends when the broker acknowledged it.
    return withMessagingSpan(
      { system: this.connection.transport.name, destination: dataset, operation: 'publish' },
      record.headers,
      () => this.coalescer.add(dataset, record),
    );
  }

  /** Produces several messages in one call; messages with the same key keep their order. */
  async produceMany(dataset: string, messages: readonly ProduceMessage[]): Promise<ProduceResult[]> {
    assertNotDatasetPattern(dataset, 'produceMany: dataset');
    assertDatasetName(dataset, 'produceMany: dataset');
    if (!Array.isArray(messages))
      throw new ConfigurationError('produceMany: messages', 'an array of { value, key?, headers? }');
    return this.sendTraced(
      dataset,
      messages.map((m) => toRecord(m.value, m)),
    );
  }

  /** `produce(records)`: validated up front, then one `produceMany` batch per dataset. */
  private async produceRecords(records: readonly ProduceRecord[]): Promise<ProduceResult[]> {
    const byDataset = new Map<string, { at: number[]; records: OutgoingRecord[] }>();
    records.forEach((record, i) => {
      if (!record || typeof record !== 'object')
        throw new ConfigurationError(
          `produce: records[${i}]`,
          'an object { dataset, value, key?, headers? }',
        );
      assertNotDatasetPattern(record.dataset, `produce: records[${i}].dataset`);
      const dataset = assertDatasetName(record.dataset, `produce: records[${i}].dataset`);
      let group = byDataset.get(dataset);
      if (!group) byDataset.set(dataset, (group = { at: [], records: [] }));
      group.at.push(i);
      group.records.push(toRecord(record.value, record, `produce: records[${i}].key`));
    });
    const results: ProduceResult[] = new Array(records.length);
    await Promise.all(
      [...byDataset].map(async ([dataset, group]) => {
        const sent = await this.sendTraced(dataset, group.records);
        group.at.forEach((index, k) => (results[index] = sent[k] ?? {}));
      }),
    );
    return results;
  }

  /** One batch to one dataset, in one span when tracing is on. */
  private sendTraced(dataset: string, records: OutgoingRecord[]): Promise<ProduceResult[]> {
    const { transport, options } = this.connection;
    // One span per call; its context goes into every record's headers (W3C traceparent). Nothing at all
    // while no tracer provider is registered.
    if (!options.tracing || !tracingActive()) return this.send(dataset, records);
    return withMessagingSpan(
      {
        system: transport.name,
        destination: dataset,
        operation: 'publish',
        attributes: { 'messaging.batch.message_count': records.length },
      },
      records[0]?.headers,
      async () => {
        for (const record of records.slice(1))
          Object.assign(record.headers, pickTraceHeaders(records[0].headers));
        return this.send(dataset, records);
      },
    );
  }

  /** Hands records to a transport that acknowledges each on its own; counts each once the broker has it. */
  private sendEach(
    dataset: string,
    records: OutgoingRecord[],
    resolves: ReadonlyArray<(result: ProduceResult) => void>,
    rejects: ReadonlyArray<(error: unknown) => void>,
  ): void {
    const { transport, options } = this.connection;
    const produceEach = transport.produceEach as NonNullable<StreamingTransport['produceEach']>;
    if (options.metrics === noopMetrics)
      return produceEach.call(transport, dataset, records, resolves, rejects);
    const labels = { lib: 'streaming', dataset };
    const counted = resolves.map((resolve) => (result: ProduceResult) => {
      options.metrics.increment('databus_messages_produced_total', labels, 1);
      resolve(result);
    });
    produceEach.call(transport, dataset, records, counted, rejects);
  }

  /** Hands records to the transport and counts them once the broker has them. */
  private async send(dataset: string, records: OutgoingRecord[]): Promise<ProduceResult[]> {
    const results = await this.connection.transport.produce(dataset, records);
    this.connection.options.metrics.increment(
      'databus_messages_produced_total',
      { lib: 'streaming', dataset },
      records.length,
    );
    return results;
  }

  /**
   * Observes the connection: connected, disconnected, reconnecting, subscribed, handler failures,
   * dead-letters, stopped consumers. Returns a function that stops observing.
   */
  onEvent(listener: StreamingEventListener): () => void {
    return this.connection.events.on(listener);
  }

  /**
   * Subscribes to a dataset. Without `callback`, iterate the returned `Subscription`; with it, the callback
   * handles messages until `close()`. Fails at once with `UnsupportedFeatureError` when the transport cannot
   * honour `offset`, and with `NoCommittedPositionError` for `offset: 'none'` on a group with no position.
   *
   * Given `{ pattern }` instead of a dataset (`*`: one part, `>`: one or more trailing parts), it subscribes to
   * every dataset that matches, in one `Subscription`, those created later too (memory, mqtt: at once; nats,
   * kafka: within `StreamingModule.patternRefreshMs`; a pattern matching nothing yet waits for them): each
   * dataset keeps its own position, retries and dead-letter dataset (`<dataset>.dlq`), and `msg.dataset`
   * names it. Needs `capabilities.datasetPatterns` (else `UnsupportedFeatureError`).
   * @example
   * ```ts
   * const sub = await channel.subscribe({ pattern: 'sensors.*.temp' }, { offset: Offset.BEGIN });
   * for await (const msg of sub) console.log(msg.dataset, msg.json());
   * ```
   */
  async subscribe(dataset: string | DatasetPattern, options: SubscribeOptions = {}): Promise<Subscription> {
    const pattern = isDatasetPattern(dataset)
      ? parseDatasetPattern(dataset, 'subscribe({ pattern }): pattern')
      : undefined;
    const name = pattern ? pattern.text : (dataset as string);
    const where = pattern ? `subscribe({ pattern: '${name}' })` : `subscribe('${name}')`;
    const { callback, ...consumer } = options;
    if (callback !== undefined && typeof callback !== 'function')
      throw new ConfigurationError(`${where}: callback`, 'a function');
    const opts = this.connection.options;
    const resolved = resolveConsumerOptions(
      name,
      consumer,
      opts.consumerDefaults,
      { group: opts.group, maxWaitMs: DEFAULT_PULL_MAX_WAIT_MS, pattern },
      where,
    );
    const transport = this.connection.transport;
    const spec = {
      dataset: name,
      group: resolved.group,
      start: resolved.offset,
      prefetch: resolved.prefetch,
      groupExpiryMs: opts.groupExpiryMs,
      amqp: resolved.amqp,
      noAck: resolved.delivery === 'at-most-once' || undefined,
    };
    const source = pattern
      ? await this.connection.openPatternSource(spec, pattern, where)
      : await this.connection.openSource(spec, where);
    const runner = callback
      ? createConsumerRunner(this.connection, source, {
          dataset: name,
          options: resolved,
          decode: 'raw',
          invoke: (_payload, message) => callback(message),
        })
      : undefined;
    let untrack: () => void = () => undefined;
    const subscription = new Subscription(
      name,
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
    assertNotDatasetPattern(dataset, 'request: dataset');
    assertDatasetName(dataset, 'request: dataset');
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

function pickTraceHeaders(headers: MessageHeaders): MessageHeaders {
  const out: MessageHeaders = {};
  for (const name of ['traceparent', 'tracestate', 'baggage'])
    if (headers[name] !== undefined) out[name] = headers[name];
  return out;
}

function toRecord(value: unknown, options: ProduceOptions, keyOption = 'produce: key'): OutgoingRecord {
  const { data, text, contentType } = encodePayloadText(value);
  if (options.key !== undefined && typeof options.key !== 'string')
    throw new ConfigurationError(keyOption, 'a string');
  const headers: MessageHeaders =
    options.headers === undefined
      ? { [DatabusHeaders.CONTENT_TYPE]: contentType }
      : { [DatabusHeaders.CONTENT_TYPE]: contentType, ...options.headers };
  if (options.messageId !== undefined)
    headers[DatabusHeaders.MESSAGE_ID] = assertNonEmptyString(options.messageId, 'produce: messageId');
  const record: OutgoingRecord =
    text === undefined
      ? { key: options.key, headers, data: data as Buffer }
      : new TextRecord(text, options.key, headers);
  if (options.amqp !== undefined) record.amqp = resolveAmqpDataset(options.amqp, 'produce: amqp');
  return record;
}
