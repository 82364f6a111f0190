/** Nest's metadata keys of enhancers and parameter decorators (`@nestjs/common/constants`). */
const ENHANCER_KEYS = ['__guards__', '__interceptors__', '__pipes__', '__exceptionFilters__'];

/** The global enhancer lists of Nest's `ApplicationConfig`, structurally. */
const GLOBAL_GETTERS = [
  'getGlobalGuards',
  'getGlobalRequestGuards',
  'getGlobalInterceptors',
  'getGlobalRequestInterceptors',
  'getGlobalPipes',
  'getGlobalRequestPipes',
  'getGlobalFilters',
  'getGlobalRequestFilters',
] as const;

type MetadataReader = (key: string, target: object, property?: string) => unknown;

/** A handler method called with `(payload, message)`. */
export type DirectHandler = (payload: unknown, message: unknown) => unknown;

/**
 * Calls a handler method directly when Nest's enhancer chain would do nothing for it: no guard,
 * interceptor, pipe or exception filter on the method, its class or globally, and no parameter decorator
 * (so the method takes `(payload, message)` as Nest would pass them). The result is then the method's own
 * (synchronous when it is; an Observable is reduced to its last value as Nest does), with no promise hops
 * of the enhancer chain per message. Errors reach the caller unchanged, which is also what the chain does
 * without user filters (see `handlerContextCreator`).
 *
 * `creator` is Nest's `ExternalContextCreator`, read structurally; `routeArgsKey` the metadata key of
 * parameter decorators. Returns undefined whenever anything could apply, or when Nest's shape is not the
 * one expected: the caller then uses Nest's context (`handlerContextCreator(...).create(...)`).
 */
export function directHandler(
  creator: object,
  instance: object,
  method: (...args: unknown[]) => unknown,
  methodKey: string,
  routeArgsKey: string,
): DirectHandler | undefined {
  const read = (Reflect as unknown as { getMetadata?: MetadataReader }).getMetadata;
  if (typeof read !== 'function') return undefined;
  const type = instance.constructor;
  if (!isEmpty(read(routeArgsKey, type, methodKey))) return undefined;
  for (const key of ENHANCER_KEYS)
    if (!isEmpty(read(key, method)) || !isEmpty(read(key, type))) return undefined;
  const config = (creator as { guardsContextCreator?: { config?: Record<string, unknown> } })
    .guardsContextCreator?.config;
  if (!config) return undefined;
  for (const getter of GLOBAL_GETTERS) {
    const list = config[getter];
    if (typeof list !== 'function' || !isEmpty((list as () => unknown).call(config))) return undefined;
  }
  return (payload, message) => {
    const result = method.call(instance, payload, message);
    return isObservable(result) ? lastValue(result) : result;
  };
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

interface ObservableLike {
  subscribe(observer: { next(value: unknown): void; error(error: unknown): void; complete(): void }): unknown;
}

function isObservable(value: unknown): value is ObservableLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { subscribe?: unknown }).subscribe === 'function' &&
    typeof (value as { then?: unknown }).then !== 'function'
  );
}

/** Like rxjs `lastValueFrom`: the last value, or a rejection when the Observable completes empty. */
function lastValue(source: ObservableLike): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let seen = false;
    let last: unknown;
    source.subscribe({
      next: (value) => {
        seen = true;
        last = value;
      },
      error: reject,
      complete: () => (seen ? resolve(last) : reject(new Error('no elements in sequence'))),
    });
  });
}
