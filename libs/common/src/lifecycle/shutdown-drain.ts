/**
 * A module as Nest's `ModulesContainer` holds it, reduced to what hook ordering needs (structural, so this
 * layer needs no Nest import).
 */
export interface HookOrderedModule {
  readonly metatype: unknown;
  /** Nest runs `onModuleDestroy`, `beforeApplicationShutdown` and `onApplicationShutdown` lowest first. */
  distance: number;
}

/**
 * Drains a lib's consumers before any user provider is torn down.
 *
 * Nest 11 closes an application in this order: every `onModuleDestroy` (modules by ascending distance
 * from the root module, the root's own providers first), then every `beforeApplicationShutdown`, then the
 * HTTP server, then every `onApplicationShutdown`. A provider that closes its database pool in
 * `onModuleDestroy` would lose it under a running handler if handlers drained any later. The lib's drain
 * module therefore asks to be destroyed first ({@link ShutdownDrain.constructor}: the distance of the
 * module holding it becomes lower than any other's, which Nest reads when `init()` sorts the modules), and
 * its `onModuleDestroy` runs every registered drain: fetching stops, in-flight handlers finish (bounded by
 * each drain's own timeout) and positions are committed. Connections stay open until
 * `onApplicationShutdown`, so user providers may still produce while they close.
 */
export class ShutdownDrain {
  private readonly drains = new Set<() => Promise<unknown>>();
  private running?: Promise<void>;

  /**
   * @param modules the application's modules (`ModulesContainer.values()`), read during instantiation
   * @param own the metatype of the module that provides this drain
   */
  constructor(modules: Iterable<HookOrderedModule>, own: unknown) {
    let lowest = 0;
    let mine: HookOrderedModule | undefined;
    for (const module of modules) {
      if (module.metatype === own) mine = module;
      else lowest = Math.min(lowest, module.distance);
    }
    if (mine && mine.distance >= lowest) mine.distance = lowest - 1;
  }

  /** Adds a drain; the returned function removes it. */
  register(drain: () => Promise<unknown>): () => void {
    this.drains.add(drain);
    return () => this.drains.delete(drain);
  }

  /** Runs every registered drain at once, once; later calls wait for the same run. A failing drain does not stop the others. */
  run(): Promise<void> {
    this.running ??= Promise.allSettled([...this.drains].map((drain) => drain())).then(() => undefined);
    return this.running;
  }
}
