import { Logger, Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { MessageProperties, TaskQueueModule, TaskQueueModuleOptions } from '@databus/queue';

/** A message taken from a queue by the fixture (basic.get), to inspect dead letters and wire format. */
export interface RawMessage {
  body: Buffer;
  properties: MessageProperties;
  /** Delivery mode 2 (always true in memory). */
  persistent: boolean;
}

/** What the conformance suite needs from a backend, besides the module itself. */
export interface ConformanceFixture {
  /** Options of one app in the current test; apps of one test share the broker. */
  options(overrides?: Partial<TaskQueueModuleOptions>): TaskQueueModuleOptions;
  /** Takes the next ready message of `queue` (auto-ack), or undefined. */
  get(queue: string): Promise<RawMessage | undefined>;
  /** Ready messages in `queue`. */
  messageCount(queue: string): Promise<number>;
  /** Consumers attached to `queue`. */
  consumerCount(queue: string): Promise<number>;
  /** Stops the broker, runs `whileDown`, starts it again (always, even if `whileDown` throws). */
  restartBroker(whileDown: () => Promise<void>): Promise<void>;
  /** Deletes the queues a test used (and their dead-letter queues). */
  cleanup(queues: string[]): Promise<void>;
  /** Releases the fixture's own resources. */
  close(): Promise<void>;
}

/** Timings small enough for tests, injected as options (no test-only branches in the lib). */
export const FAST = {
  retry: { attempts: 3, backoff: { initialMs: 20, maxMs: 500, factor: 2, jitter: 0 } },
  shutdownTimeoutMs: 3000,
  publishTimeoutMs: 15_000,
  reconnect: { initialMs: 50, maxMs: 1000 },
  requestTimeoutMs: 5000,
} satisfies Partial<TaskQueueModuleOptions>;

/** Starts a Nest application context with one TaskQueueModule and the given providers/controllers. */
export async function startApp(
  options: TaskQueueModuleOptions,
  providers: Type[] = [],
  controllers: Type[] = [],
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [TaskQueueModule.forRoot(options)],
    providers,
    controllers,
  }).compile();
  moduleRef.useLogger(process.env.DATABUS_TEST_LOGS ? new Logger() : false);
  await moduleRef.init();
  return moduleRef;
}

/** Resolves after `ms` (an unref'd timer). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
