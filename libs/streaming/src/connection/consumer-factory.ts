import { consumerObserver } from './consumer-observer';
import { ResolvedConsumerOptions } from '../options/resolve-consumer-options';
import { ConsumerRunner } from '../runtime/consumer-runner';
import { MessageInvoker, MessageProcessor } from '../runtime/message-processor';
import { RecordStream } from '../runtime/record-source';
import { PayloadDecoding } from '../message/codec';
import { StreamingConnection } from './streaming-connection';

/** What a consumer runs and for whom. */
export interface ConsumerSpec {
  dataset: string;
  invoke: MessageInvoker;
  options: ResolvedConsumerOptions;
  /** Overrides `options.decode` (callbacks take the message, so they never decode). */
  decode?: PayloadDecoding;
  /** `Class.method` of a decorated handler, for events. */
  handler?: string;
}

/**
 * Builds the runner of one consumer: the message processor (retry, dead-letter, reply, tracing) observed
 * into the connection's events and metrics, over a supervised source. The runner is returned unstarted.
 */
export function createConsumerRunner(
  connection: StreamingConnection,
  source: RecordStream,
  spec: ConsumerSpec,
): ConsumerRunner {
  const { options, dataset } = spec;
  const transport = connection.transport;
  const abort = new AbortController();
  const observer = consumerObserver(
    {
      connection: connection.label,
      dataset,
      group: options.group,
      events: connection.events,
      metrics: connection.options.metrics,
    },
    options.deadLetter,
  );
  const processor = new MessageProcessor(
    spec.invoke,
    {
      dataset,
      group: options.group,
      decode: spec.decode ?? options.decode,
      attempts: options.attempts,
      backoff: options.backoff,
      deadLetter: options.deadLetter,
      atMostOnce: options.delivery === 'at-most-once',
      reconnect: connection.options.reconnect,
      tracing: connection.options.tracing,
    },
    transport,
    connection.logger,
    abort.signal,
    observer,
  );
  const runner = new ConsumerRunner(
    source,
    processor,
    { ...options, brokerNack: transport.capabilities.nack },
    connection.logger,
    (error) =>
      connection.events.emit({
        type: 'consumer-stopped',
        connection: connection.label,
        dataset,
        group: options.group,
        handler: spec.handler,
        error,
      }),
  );
  runner.signal.addEventListener('abort', () => abort.abort(runner.signal.reason), { once: true });
  return runner;
}
