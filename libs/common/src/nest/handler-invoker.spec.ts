import { createHandlerInvoker } from './handler-invoker';

/** A creator that records its arguments and answers with the module its lookups give. */
class RecordingCreator {
  calls: unknown[][] = [];
  getContextModuleKey(): string | undefined {
    return undefined;
  }
  create(...args: unknown[]): unknown {
    this.calls.push(args);
    const callback = args[1] as (...a: unknown[]) => unknown;
    return async (...a: unknown[]) => ({
      result: await callback.apply(args[0], a),
      module: this.getContextModuleKey(),
    });
  }
}

class Doubler {
  handle(n: number): number {
    return n * 2;
  }
}

const options = {
  metadataKey: '__routeArguments__',
  paramsFactory: { name: 'params' },
  contextType: 'databus',
};

describe('createHandlerInvoker', () => {
  it('runs the method through the creator with every enhancer, the params factory and the context type', async () => {
    const creator = new RecordingCreator();
    const invoke = createHandlerInvoker(creator, new Doubler(), 'handle', options);
    await expect(invoke(21)).resolves.toEqual({ result: 42, module: undefined });
    const [, , methodName, metadataKey, paramsFactory, , , enhancers, contextType] = creator.calls[0];
    expect([methodName, metadataKey, paramsFactory, contextType]).toEqual([
      'handle',
      '__routeArguments__',
      options.paramsFactory,
      'databus',
    ]);
    expect(enhancers).toEqual({ guards: true, interceptors: true, filters: true });
  });

  it("answers the creator's module lookup with a controller's module, leaving the shared creator alone", async () => {
    const creator = new RecordingCreator();
    const invoke = createHandlerInvoker(creator, new Doubler(), 'handle', {
      ...options,
      moduleKey: 'module-1',
    });
    await expect(invoke(1)).resolves.toEqual({ result: 2, module: 'module-1' });
    expect(creator.getContextModuleKey()).toBeUndefined();
  });
});
