/** What a handler's exception handler offers (Nest's `ExternalExceptionsHandler`, structurally). */
interface ExceptionsHandlerLike {
  next(exception: unknown, host: unknown): unknown;
  invokeCustomFilters(exception: unknown, host: unknown): unknown;
}

/** What builds a handler's exception handler (Nest's `ExternalExceptionFilterContext`, structurally). */
interface FilterContextLike {
  create(...args: unknown[]): ExceptionsHandlerLike | undefined;
}

/**
 * Adapts Nest's `ExternalContextCreator` (given as-is, typed structurally so this layer needs no Nest
 * import) for databus handlers; the result is a child object, Nest's own code path otherwise:
 * - **controllers**: `ExternalContextCreator` looks a handler's module up among module *providers* only, so
 *   for a controller it finds none and drops class-referenced guards, interceptors, pipes and filters. With
 *   `moduleKey` (the controller's module) both lookups (`getHostModuleKey` of Nest 11.2,
 *   `getContextModuleKey` of 11.0) answer with it.
 * - **no unhandled-error log**: an error no user exception filter handles reaches Nest's fallback filter,
 *   which logs it at ERROR with its stack (`ExceptionsHandler`) and rethrows it. Databus handles every such
 *   error itself (retry with one WARN line per attempt, then dead-letter with one ERROR), so the fallback
 *   rethrows without logging. User filters (`@UseFilters`, global ones) still run first, unchanged.
 */
export function handlerContextCreator<T extends object>(creator: T, moduleKey?: string): T {
  const properties: PropertyDescriptorMap = {};
  if (moduleKey)
    for (const lookup of ['getHostModuleKey', 'getContextModuleKey'])
      properties[lookup] = { value: () => moduleKey };
  const filters = (creator as { filtersContextCreator?: FilterContextLike }).filtersContextCreator;
  if (typeof filters?.create === 'function') properties.filtersContextCreator = { value: quiet(filters) };
  return Object.create(creator, properties) as T;
}

function quiet(filters: FilterContextLike): FilterContextLike {
  return Object.create(filters, {
    create: {
      value: (...args: unknown[]) => {
        const handler = filters.create(...args);
        if (typeof handler?.invokeCustomFilters !== 'function') return handler;
        handler.next = (exception, host) => {
          const handled = handler.invokeCustomFilters(exception, host);
          if (handled) return handled;
          throw exception;
        };
        return handler;
      },
    },
  }) as FilterContextLike;
}
