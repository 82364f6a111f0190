/**
 * OpenTelemetry tracing for messaging, following the messaging semantic conventions. `@opentelemetry/api`
 * is an optional peer: when it is not installed every function here is a cheap no-op.
 */

/** Attributes of a messaging span. */
export interface MessagingSpanInfo {
  /** `kafka`, `rabbitmq`, `mqtt`, `nats`, `memory`. */
  system: string;
  /** Dataset, queue or exchange. */
  destination: string;
  operation: 'publish' | 'process' | 'receive' | 'send';
  group?: string;
  messageId?: string;
  /** Other attributes (e.g. `messaging.message.body.size`). */
  attributes?: Record<string, string | number | boolean | undefined>;
}

interface OtelApi {
  trace: {
    getTracer(name: string): OtelTracer;
    getTracerProvider(): unknown;
    setSpan(ctx: unknown, span: OtelSpan): unknown;
  };
  context: { active(): unknown; with<T>(ctx: unknown, fn: () => T): T };
  propagation: {
    inject(ctx: unknown, carrier: Record<string, string>): void;
    extract(ctx: unknown, carrier: Record<string, string>): unknown;
  };
  SpanKind: { PRODUCER: number; CONSUMER: number; CLIENT: number };
  SpanStatusCode: { ERROR: number };
}
interface OtelSpan {
  setStatus(status: { code: number; message?: string }): void;
  recordException(error: unknown): void;
  end(): void;
}
interface OtelTracer {
  startSpan(
    name: string,
    options: { kind: number; attributes: Record<string, unknown> },
    ctx?: unknown,
  ): OtelSpan;
}

let api: OtelApi | null | undefined;

function otel(): OtelApi | null {
  if (api === undefined) {
    try {
      api = require('@opentelemetry/api') as OtelApi;
    } catch {
      api = null;
    }
  }
  return api;
}

/** `tracingActive()`'s answer for the rest of the current tick (`undefined`: not asked yet this tick). */
let activeThisTick: boolean | undefined;
const forgetActive = (): void => {
  activeThisTick = undefined;
};

/**
 * Whether spans would be recorded: `@opentelemetry/api` is installed and a tracer provider is registered
 * (an SDK called `trace.setGlobalTracerProvider`). Asked again on every tick, so a provider registered after
 * the module started is picked up from the next tick on; the calls of one tick (a burst of produce calls)
 * share one answer, since the API's lookup (a global and a version check) costs more than the rest of a
 * produce's tracing branch. Without a provider, callers skip span, header and context work entirely.
 */
export function tracingActive(): boolean {
  if (activeThisTick !== undefined) return activeThisTick;
  activeThisTick = providerRegistered();
  queueMicrotask(forgetActive);
  return activeThisTick;
}

function providerRegistered(): boolean {
  const o = otel();
  if (!o) return false;
  const provider = o.trace.getTracerProvider() as { getDelegateTracer?: (name: string) => unknown };
  // The API's own proxy has a delegate only once a provider is registered; anything else is a real provider.
  if (typeof provider.getDelegateTracer !== 'function') return true;
  return provider.getDelegateTracer('databus') !== undefined;
}

/**
 * Writes the active trace context (W3C `traceparent`/`tracestate`) into message headers. Does nothing when
 * no tracer provider is registered (see `tracingActive`).
 */
export function injectTraceContext(headers: Record<string, string>): Record<string, string> {
  const o = otel();
  if (o && tracingActive()) o.propagation.inject(o.context.active(), headers);
  return headers;
}

/**
 * Runs `fn` inside a span for a messaging operation. A consumer span (`process`/`receive`) continues the
 * trace found in `headers`; a producer span (`publish`/`send`) is a child of the active context and its
 * context is injected into `headers` before `fn` runs. The span records failures and always ends.
 * Without a registered tracer provider it just runs `fn` (no span, no header or context work).
 */
export async function withMessagingSpan<T>(
  info: MessagingSpanInfo,
  headers: Record<string, string> | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const o = otel();
  if (!o || !tracingActive()) return fn();
  const consumer = info.operation === 'process' || info.operation === 'receive';
  const parent =
    consumer && headers ? o.propagation.extract(o.context.active(), { ...headers }) : o.context.active();
  const attributes: Record<string, unknown> = {
    'messaging.system': info.system,
    'messaging.destination.name': info.destination,
    'messaging.operation.type': info.operation,
    ...(info.group ? { 'messaging.consumer.group.name': info.group } : {}),
    ...(info.messageId ? { 'messaging.message.id': info.messageId } : {}),
    ...(info.attributes ?? {}),
  };
  const kind = consumer ? o.SpanKind.CONSUMER : o.SpanKind.PRODUCER;
  const span = o.trace
    .getTracer('databus')
    .startSpan(`${info.operation} ${info.destination}`, { kind, attributes }, parent);
  const ctx = o.trace.setSpan(parent, span);
  if (!consumer && headers) o.propagation.inject(ctx, headers);
  try {
    return await o.context.with(ctx, fn);
  } catch (error) {
    span.recordException(error);
    span.setStatus({
      code: o.SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Whether `@opentelemetry/api` is installed (spans may still be no-ops without an SDK). The first call loads
 * the API: a module with tracing on calls this at init, so that its first message or produce does not pay
 * the load (~16 ms measured, the first messages' latency tail; bench/benchmarks-analysis.md §14b).
 */
export function tracingAvailable(): boolean {
  return otel() !== null;
}
