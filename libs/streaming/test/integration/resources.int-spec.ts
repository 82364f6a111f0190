import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { MemoryStreaming, OnDatasetMessage, Payload } from '@databus/streaming';
import { waitFor } from '@databus/testing';
import { dataset, startApp } from '../conformance/harness';

/**
 * The seed bus's `resources` (context managers opened and closed with the application), the Nest way: a
 * provider that opens in `onModuleInit` and closes in `onModuleDestroy`, or a factory provider whose value has
 * `onModuleDestroy`. Handlers subscribe at application bootstrap, after every `onModuleInit`, and drain before
 * any user `onModuleDestroy`, so a handler never sees a resource that is not open.
 */
const MEMORY = { name: 'memory', url: () => '' };
const events: string[] = [];
const log = (event: string): void => void events.push(event);

/** A pool-like resource: opening and closing take a while, as a real connection pool's do. */
class FakePool {
  open = false;
  constructor(private readonly name: string) {}
  async connect(): Promise<this> {
    await new Promise((r) => setTimeout(r, 50));
    this.open = true;
    log(`${this.name} open`);
    return this;
  }
  async end(): Promise<void> {
    await new Promise((r) => setTimeout(r, 20));
    this.open = false;
    log(`${this.name} closed`);
  }
  query(what: string): string {
    if (!this.open) throw new Error(`${this.name} used while closed`);
    return what;
  }
}

/** A provider that owns its resource. */
@Injectable()
class Database implements OnModuleInit, OnModuleDestroy {
  readonly pool = new FakePool('db');
  onModuleInit(): Promise<unknown> {
    return this.pool.connect();
  }
  onModuleDestroy(): Promise<void> {
    return this.pool.end();
  }
}

const CACHE = Symbol('CACHE');
/** A factory provider: the value is opened by the factory and closed through its own `onModuleDestroy`. */
const cacheProvider = {
  provide: CACHE,
  useFactory: async () => {
    const pool = await new FakePool('cache').connect();
    return Object.assign(pool, { onModuleDestroy: () => pool.end() });
  },
};

function readingsHandler(ds: string) {
  @Injectable()
  class Readings {
    constructor(
      private readonly db: Database,
      @Inject(CACHE) private readonly cache: FakePool,
    ) {}

    @OnDatasetMessage(ds, { concurrency: 2, batch: 2 })
    async store(@Payload() reading: { n: number }): Promise<void> {
      log(`handle ${reading.n} start`);
      this.db.pool.query('insert');
      this.cache.query('set');
      await new Promise((r) => setTimeout(r, 200));
      this.db.pool.query('commit');
      log(`handle ${reading.n} end`);
    }
  }
  return Readings;
}

describe('resources opened and closed with the application (the seed bus `resources`)', () => {
  afterEach(() => MemoryStreaming.reset());

  it('opens resources before the first message and closes them after the last handler finished', async () => {
    events.length = 0;
    const ds = dataset('resources');
    const app = await startApp(MEMORY, `memory://${ds}`, {
      providers: [Database, cacheProvider, readingsHandler(ds)],
    });
    log('bootstrapped');
    await app.channel.produce(ds, { n: 1 });
    await app.channel.produce(ds, { n: 2 });
    await waitFor(() => events.includes('handle 2 start') || undefined, {
      message: 'both handlers to start',
    });
    await app.close();
    log('app closed');

    expect(events.slice(0, 3).sort()).toEqual(['bootstrapped', 'cache open', 'db open']);
    expect(events.indexOf('bootstrapped')).toBe(2);
    // Both in-flight handlers finished (a closed pool would have thrown before their `end`).
    expect(events).toEqual(expect.arrayContaining(['handle 1 end', 'handle 2 end']));
    const lastHandled = Math.max(events.indexOf('handle 1 end'), events.indexOf('handle 2 end'));
    expect(events.indexOf('db closed')).toBeGreaterThan(lastHandled);
    expect(events.indexOf('cache closed')).toBeGreaterThan(lastHandled);
    expect(events[events.length - 1]).toBe('app closed');
  });
});
