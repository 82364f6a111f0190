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
  trace: { getTracer(name: string): OtelTracer; setSpan(ctx: unknown, span: OtelSpan): unknown };
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

/** Writes the active trace context (W3C `traceparent`/`tracestate`) into message headers. */
export function injectTraceContext(headers: Record<string, string>): Record<string, string> {
  const o = otel();
  if (o) o.propagation.inject(o.context.active(), headers);
  return headers;
}

/**
 * Runs `fn` inside a span for a messaging operation. A consumer span (`process`/`receive`) continues the
 * trace found in `headers`; a producer span (`publish`/`send`) is a child of the active context and its
 * context is injected into `headers` before `fn` runs. The span records failures and always ends.
 */
export async function withMessagingSpan<T>(
  info: MessagingSpanInfo,
  headers: Record<string, string> | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const o = otel();
  if (!o) return fn();
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

/** Whether `@opentelemetry/api` is installed (spans may still be no-ops without an SDK). */
export function tracingAvailable(): boolean {
  return otel() !== null;
}
