import { directHandler } from './direct-handler';
import { handlerContextCreator } from './handler-context-creator';

/** The `create` of Nest's `ExternalContextCreator`, typed structurally (this layer imports no Nest package). */
interface ContextCreatorLike {
  create(
    instance: object,
    callback: (...args: unknown[]) => unknown,
    methodName: string,
    metadataKey?: string,
    paramsFactory?: unknown,
    contextId?: unknown,
    inquirerId?: unknown,
    options?: { guards?: boolean; interceptors?: boolean; filters?: boolean },
    contextType?: string,
  ): unknown;
}

/** What `createHandlerInvoker` needs besides the handler. */
export interface HandlerInvokerOptions {
  /** The metadata key of the parameter decorators (`ROUTE_ARGS_METADATA` from `@nestjs/common/constants`). */
  metadataKey: string;
  /** Maps decorated parameters to values (`{ exchangeKeyForValue(type, data, args) }`). */
  paramsFactory: unknown;
  /** The execution context type guards and filters see (`databus`, `databus-queue`). */
  contextType: string;
  /** The module of a controller handler (see `handlerContextCreator`). */
  moduleKey?: string;
}

/**
 * `instance[methodKey]` wrapped in Nest's enhancer chain (guards, interceptors, pipes, filters) under
 * `options.contextType`, through `handlerContextCreator` (controllers keep their enhancers, no duplicate
 * ERROR log): the one invoker of streaming and queue handlers. When nothing of the chain applies (no
 * enhancer on the method, its class or globally, no parameter decorator) the method is called directly
 * (`directHandler`): its result is then returned as is, synchronously for a synchronous handler.
 */
export function createHandlerInvoker<R = unknown>(
  creator: ContextCreatorLike,
  instance: object,
  methodKey: string,
  options: HandlerInvokerOptions,
): (...args: unknown[]) => R | Promise<R> {
  const method = (instance as Record<string, (...args: unknown[]) => unknown>)[methodKey];
  const nest = handlerContextCreator(creator, options.moduleKey).create(
    instance,
    method,
    methodKey,
    options.metadataKey,
    options.paramsFactory,
    undefined,
    undefined,
    { guards: true, interceptors: true, filters: true },
    options.contextType,
  ) as (...args: unknown[]) => Promise<R>;
  const direct = directHandler(creator, instance, method, methodKey, options.metadataKey);
  return direct ? (direct as (...args: unknown[]) => R | Promise<R>) : nest;
}
