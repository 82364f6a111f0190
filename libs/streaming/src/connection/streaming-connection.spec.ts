import type { StreamingConnection as Connection } from './streaming-connection';

/**
 * Opens a memory-transport connection with the given `tracing` option in a fresh module registry in which
 * `@opentelemetry/api` counts its loads; returns how often it was loaded once module init finished.
 */
async function apiLoadsAtInit(tracing: boolean): Promise<number> {
  let loads = 0;
  let connection: Connection | undefined;
  jest.isolateModules(() => {
    jest.doMock('@opentelemetry/api', () => {
      loads++;
      return jest.requireActual('@opentelemetry/api');
    });
    const { StreamingConnection } =
      require('./streaming-connection') as typeof import('./streaming-connection');
    const { resolveStreamingOptions } =
      require('../options/resolve-streaming-options') as typeof import('../options/resolve-streaming-options');
    connection = new StreamingConnection(
      resolveStreamingOptions({ url: 'memory://tracing-load', tracing }),
      undefined,
      false,
    );
  });
  const opened = connection as unknown as Connection;
  await opened.onModuleInit();
  await opened.onApplicationShutdown();
  jest.dontMock('@opentelemetry/api');
  return loads;
}

describe('StreamingConnection: loading the optional tracing API', () => {
  it('loads @opentelemetry/api at module init when tracing is on, so the first message does not pay it', async () => {
    expect(await apiLoadsAtInit(true)).toBe(1);
  });

  it('does not load it at all when tracing is off', async () => {
    expect(await apiLoadsAtInit(false)).toBe(0);
  });
});
