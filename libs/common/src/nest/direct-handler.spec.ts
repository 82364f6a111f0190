import { directHandler } from './direct-handler';

const ROUTE_ARGS = '__routeArguments__';

/** An ExternalContextCreator-shaped object whose ApplicationConfig has the given global enhancers. */
function creatorWith(globals: Record<string, unknown[]> = {}) {
  const config: Record<string, () => unknown[]> = {};
  for (const getter of [
    'getGlobalGuards',
    'getGlobalRequestGuards',
    'getGlobalInterceptors',
    'getGlobalRequestInterceptors',
    'getGlobalPipes',
    'getGlobalRequestPipes',
    'getGlobalFilters',
    'getGlobalRequestFilters',
  ])
    config[getter] = () => globals[getter] ?? [];
  return { guardsContextCreator: { config } };
}

class Handlers {
  seen: unknown[] = [];
  plain(payload: unknown, message: unknown): string {
    this.seen.push(payload, message);
    return 'handled';
  }
  observable(): { subscribe(o: { next(v: unknown): void; complete(): void }): void } {
    return {
      subscribe: (o) => {
        o.next(1);
        o.next(2);
        o.complete();
      },
    };
  }
}

describe('directHandler', () => {
  it('calls a method without enhancers directly with (payload, message) and returns its own result', () => {
    const instance = new Handlers();
    const call = directHandler(
      creatorWith(),
      instance,
      Handlers.prototype.plain as never,
      'plain',
      ROUTE_ARGS,
    );
    expect(call?.({ n: 1 }, 'msg')).toBe('handled');
    expect(instance.seen).toEqual([{ n: 1 }, 'msg']);
  });

  it('reduces an Observable result to its last value, as Nest does', async () => {
    const instance = new Handlers();
    const call = directHandler(
      creatorWith(),
      instance,
      instance.observable as never,
      'observable',
      ROUTE_ARGS,
    );
    await expect(call?.(undefined, undefined)).resolves.toBe(2);
  });

  it('leaves a method with a guard, a class interceptor or a parameter decorator to Nest', () => {
    class Guarded {
      handle(): void {}
    }
    Reflect.defineMetadata('__guards__', [class {}], Guarded.prototype.handle);
    expect(
      directHandler(creatorWith(), new Guarded(), Guarded.prototype.handle as never, 'handle', ROUTE_ARGS),
    ).toBeUndefined();

    class Intercepted {
      handle(): void {}
    }
    Reflect.defineMetadata('__interceptors__', [class {}], Intercepted);
    expect(
      directHandler(
        creatorWith(),
        new Intercepted(),
        Intercepted.prototype.handle as never,
        'handle',
        ROUTE_ARGS,
      ),
    ).toBeUndefined();

    class WithParams {
      handle(): void {}
    }
    Reflect.defineMetadata(ROUTE_ARGS, { '0:0': { index: 0 } }, WithParams, 'handle');
    expect(
      directHandler(
        creatorWith(),
        new WithParams(),
        WithParams.prototype.handle as never,
        'handle',
        ROUTE_ARGS,
      ),
    ).toBeUndefined();
  });

  it('leaves every handler to Nest when a global pipe is registered, or when Nest has another shape', () => {
    const instance = new Handlers();
    const method = Handlers.prototype.plain as never;
    expect(
      directHandler(creatorWith({ getGlobalPipes: [{}] }), instance, method, 'plain', ROUTE_ARGS),
    ).toBeUndefined();
    expect(directHandler({}, instance, method, 'plain', ROUTE_ARGS)).toBeUndefined();
  });
});
