import { Logger, Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { MessageProperties, TaskQueueModule, TaskQueueModuleOptions } from '@databus/queue';
import { uniqueName, waitFor } from '@databus/testing';

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

/** What each conformance test uses: the fixture, apps it starts (closed after each test) and queue names. */
export interface ConformanceHarness {
  readonly fixture: ConformanceFixture;
  /** Starts an app with the fixture's options (`FAST` plus `overrides`); it is closed after the test. */
  app(providers: Parameters<typeof startApp>[1], overrides?: object): Promise<TestingModule>;
  /** A unique queue name, cleaned up after the test. */
  name(prefix: string): string;
  /** The next message in `queue`, read from the broker directly. */
  takeFrom(queue: string): Promise<RawMessage>;
  /** An app the test closed itself (not to be closed again). */
  closed(app: TestingModule): void;
}

/** Registers the suite's hooks (one fixture per suite; apps and queues cleaned after each test). */
export function conformanceHarness(makeFixture: () => Promise<ConformanceFixture>): ConformanceHarness {
  let fixture: ConformanceFixture | undefined;
  let apps: TestingModule[] = [];
  let queues: string[] = [];
  beforeAll(async () => {
    fixture = await makeFixture();
  });
  afterAll(async () => {
    await fixture?.close();
  });
  afterEach(async () => {
    for (const started of apps.reverse()) await started.close();
    apps = [];
    await fixture?.cleanup(queues);
    queues = [];
  });
  const harness: ConformanceHarness = {
    get fixture(): ConformanceFixture {
      if (!fixture) throw new Error('the conformance fixture is not ready (beforeAll has not run)');
      return fixture;
    },
    async app(providers, overrides = {}) {
      const started = await startApp(harness.fixture.options({ ...FAST, ...overrides }), providers);
      apps.push(started);
      return started;
    },
    name(prefix) {
      const q = uniqueName(prefix);
      queues.push(q);
      return q;
    },
    takeFrom(queue) {
      return waitFor(() => harness.fixture.get(queue), {
        timeoutMs: 15_000,
        message: `a message in ${queue}`,
      });
    },
    closed(app) {
      apps = apps.filter((a) => a !== app);
    },
  };
  return harness;
}
