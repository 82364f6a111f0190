/** Injection tokens and fixed names of @databus/queue. */

/** The resolved (validated, defaulted) options of one module instance. */
export const RESOLVED_TASK_QUEUE_OPTIONS = Symbol('databus:queue:resolved-options');

/** The backend (`QueueBackend`) of one module instance. */
export const TASK_QUEUE_BACKEND = Symbol('databus:queue:backend');

/** The observability (`QueueTelemetry`: events, metrics, tracing, connection state) of one module instance. */
export const TASK_QUEUE_TELEMETRY = Symbol('databus:queue:telemetry');

/** The `LoggerService` of one module instance (option `logger`). */
export const TASK_QUEUE_LOGGER = Symbol('databus:queue:logger');

/** The connection name of one module instance (`'default'` unless `name` is given). */
export const TASK_QUEUE_CONNECTION_NAME = Symbol('databus:queue:connection-name');

/** Name of the connection when none is given. */
export const DEFAULT_CONNECTION = 'default';

/**
 * The execution-context type handlers run under: guards and interceptors can branch on
 * `context.getType<QueueContextType>() === 'databus-queue'`.
 * @publicApi
 */
export const QUEUE_CONTEXT_TYPE = 'databus-queue';

/** The literal type of `QUEUE_CONTEXT_TYPE`. @publicApi */
export type QueueContextType = typeof QUEUE_CONTEXT_TYPE;

/** Nest's RPC parameter types (common's mirror); a unit test asserts `@Payload()` and `@Ctx()` still write them. */
export {
  PAYLOAD_PARAM as RPC_PAYLOAD_PARAM,
  CONTEXT_PARAM as RPC_CONTEXT_PARAM,
} from '@databus/common/internal';
