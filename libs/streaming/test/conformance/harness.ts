import { randomUUID } from 'node:crypto';
import { Test, TestingModule } from '@nestjs/testing';
import { Provider, Type } from '@nestjs/common';
import { ChannelService, StreamingModule, StreamingModuleOptions } from '@databus/streaming';

/**
 * A transport under test. The conformance suite runs unchanged against every target; a target only says
 * how to reach its broker.
 */
export interface ConformanceTarget {
  /** Shown in test titles: `memory`, `amqp`, … */
  name: string;
  /** A URL for one test file; called once per `describe` block so a target may isolate tests (memory broker names). */
  url(): string;
  /** Extra module options (transportOptions, tls, credentials). */
  options?: Partial<StreamingModuleOptions>;
  /**
   * Restarts the broker (stop, then start), resolving once it answers again; absent when the target
   * cannot be restarted from a test. Used by the reconnect tests.
   */
  restartBroker?(): Promise<void>;
  /**
   * What the broker holds for the consumer of `group` on `dataset` (the effect of `open({ requestTimeoutMs,
   * sessionTimeoutMs, extraConfigs })`), in milliseconds and as given; absent where the broker cannot tell.
   */
  channelSettings?(dataset: string, group: string): Promise<ObservedChannelSettings>;
  /** How long deliveries may take on this broker, for `waitFor` bounds (not speed assertions). @default 10_000 */
  deliveryTimeoutMs?: number;
}

/** Consumer settings a broker reports for a group (see `ConformanceTarget.channelSettings`). */
export interface ObservedChannelSettings {
  requestTimeoutMs?: number;
  sessionTimeoutMs?: number;
  /** Further settings the consumer was created with, by the name the user gave. */
  extraConfigs?: Record<string, unknown>;
}

/** Unique dataset name for one test. */
export const dataset = (prefix = 'ds'): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A started Nest application context with `StreamingModule` and the given providers/controllers. */
export interface TestApp {
  module: TestingModule;
  channel: ChannelService;
  get<T>(type: Type<T>): T;
  close(): Promise<void>;
}

export async function startApp(
  target: ConformanceTarget,
  url: string,
  {
    providers = [],
    controllers = [],
    options = {},
  }: { providers?: Provider[]; controllers?: Type[]; options?: Partial<StreamingModuleOptions> } = {},
): Promise<TestApp> {
  const module = await Test.createTestingModule({
    imports: [
      StreamingModule.forRoot({
        url,
        logger: false,
        reconnect: { initialMs: 20, maxMs: 500 },
        // Pulls wait briefly for a full batch, so tests reading a few messages do not sit out the 10 s default.
        consumerDefaults: { maxWaitMs: 300 },
        ...target.options,
        ...options,
      }),
    ],
    providers,
    controllers,
  }).compile();
  try {
    await module.init();
  } catch (error) {
    await module.close().catch(() => undefined);
    throw error;
  }
  let closed = false;
  return {
    module,
    channel: module.get(ChannelService),
    get: (type) => module.get(type),
    close: async () => {
      if (closed) return;
      closed = true;
      await module.close();
    },
  };
}

/** Collects what handlers saw, with helpers to wait for it. */
export class Seen<T = unknown> {
  readonly items: T[] = [];
  push(item: T): void {
    this.items.push(item);
  }
  get length(): number {
    return this.items.length;
  }
}
