import { parseBrokerUrl, resolveBackoff } from '@databus/common';
import { Offset } from '../../../offset/offset';
import { OutgoingRecord } from '../../../transport/transport-record.interface';
import { SubscriptionSpec, TransportContext, TransportLogger } from '../../../transport/transport.interface';
import { KafkaTransport } from '../kafka.transport';
import { FakeKafka } from './fake-kafka.driver';

/** A logger that keeps what it was told, for assertions. @internal */
export interface RecordingLogger extends TransportLogger {
  lines: Array<{ level: string; message: string }>;
}

/** A logger that records lines. @internal */
export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, log: at('log'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** A transport context for tests (two brokers, no TLS). @internal */
export function testContext(over: Partial<TransportContext> = {}): TransportContext {
  return {
    url: parseBrokerUrl('kafka://b1:9092,b2:9093'),
    secure: false,
    clientId: 'test-client',
    transportOptions: {},
    reconnect: resolveBackoff({ initialMs: 1, maxMs: 5 }, 'reconnect'),
    produceTimeoutMs: 500,
    logger: recordingLogger(),
    ...over,
  };
}

/** A connected kafka transport on the in-memory fake driver. @internal */
export async function fakeTransport(
  options: { partitions?: number; fake?: FakeKafka; context?: Partial<TransportContext> } = {},
): Promise<{ fake: FakeKafka; transport: KafkaTransport; logger: RecordingLogger }> {
  const fake = options.fake ?? new FakeKafka(options.partitions ?? 1);
  const logger = recordingLogger();
  const transport = new KafkaTransport(testContext({ logger, ...options.context }), async () => ({
    driver: fake,
  }));
  await transport.connect();
  return { fake, transport, logger };
}

/** A subscription spec with test defaults. @internal */
export const spec = (over: Partial<SubscriptionSpec> = {}): SubscriptionSpec => ({
  dataset: 'readings',
  start: Offset.BEGIN,
  prefetch: 10,
  groupExpiryMs: 60_000,
  ...over,
});

/** A JSON record. @internal */
export const json = (value: unknown, key?: string): OutgoingRecord => ({
  key,
  headers: { 'content-type': 'application/json' },
  data: Buffer.from(JSON.stringify(value)),
});

/** Lets scheduled pumps and promise chains run. @internal */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};
