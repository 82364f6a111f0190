import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';
import type { OutboxPool, OutboxPoolClient, OutboxQueryResult } from '@databus/outbox';

/**
 * A node-postgres-shaped pool over one PGlite instance (PostgreSQL compiled to WebAssembly, in this
 * process): what `OutboxModule` needs of a `pg.Pool` (`OutboxPool`), so the demo runs the outbox, its
 * migration, trigger, `LISTEN` and the relay's `FOR UPDATE SKIP LOCKED` on a real PostgreSQL without a
 * server.
 *
 * PGlite has one backend, so a client's transaction (from `BEGIN` to `COMMIT` / `ROLLBACK` / `release()`)
 * holds it, and every other client's statement waits until then: transactions are serialised, as if each
 * took a table lock. `LISTEN` / `UNLISTEN` map to PGlite's `listen()`, which delivers the notifications of
 * committed transactions like a server does. Statements without parameters may hold several commands (the
 * migration); results come back as node-postgres gives them (`bytea` as `Buffer`).
 */
export class EmbeddedPostgresPool implements OutboxPool {
  private tail: Promise<void> = Promise.resolve();
  private ended = false;
  private ending?: Promise<void>;

  constructor(private readonly db: PGlite) {}

  /** A client; it holds the database only while it is inside a transaction. */
  async connect(): Promise<OutboxPoolClient> {
    this.assertOpen();
    return new EmbeddedPostgresClient(this);
  }

  /** One statement outside any transaction (waits for the transaction in progress). */
  query(sql: string, params?: unknown[]): Promise<OutboxQueryResult> {
    return this.exclusive(() => this.run(sql, params));
  }

  /** Waits for the transaction in progress, then closes the database. */
  end(): Promise<void> {
    this.ending ??= this.acquire().then(async (release) => {
      this.ended = true;
      try {
        await this.db.close();
      } finally {
        release();
      }
    });
    return this.ending;
  }

  /** Runs `work` once every earlier holder released the backend. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Takes the backend; resolves with the function that gives it back. */
  acquire(): Promise<() => void> {
    this.assertOpen();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const turn = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return turn;
  }

  /** One statement on the backend (the caller holds it). */
  async run(sql: string, params?: unknown[]): Promise<OutboxQueryResult> {
    const results: Results[] =
      params === undefined || params.length === 0
        ? await this.db.exec(sql)
        : [await this.db.query(sql, params)];
    const last = results[results.length - 1];
    return {
      rows: (last?.rows ?? []).map((row) => toNodePostgres(row as Record<string, unknown>)),
      rowCount: last?.affectedRows ?? last?.rows.length ?? 0,
    };
  }

  /** PGlite's `listen`; resolves with the function that stops it. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, onPayload);
  }

  private assertOpen(): void {
    if (this.ended) throw new Error('EmbeddedPostgresPool: the pool has ended');
  }
}

const TRANSACTION_START = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const TRANSACTION_END = /^\s*(COMMIT|ROLLBACK|END|ABORT)\b/i;
const LISTEN = /^\s*(UN)?LISTEN\s+("?)([A-Za-z_][A-Za-z0-9_]*)\2\s*;?\s*$/i;

/** One "connection": holds the backend from `BEGIN` to its end; emits `notification` for its `LISTEN`s. */
class EmbeddedPostgresClient extends EventEmitter implements OutboxPoolClient {
  private held?: () => void;
  private readonly listening = new Map<string, () => Promise<void>>();

  constructor(private readonly pool: EmbeddedPostgresPool) {
    super();
  }

  async query(sql: string, params?: unknown[]): Promise<OutboxQueryResult> {
    const listen = LISTEN.exec(sql);
    if (listen) {
      await this.setListening(listen[3], listen[1] === undefined);
      return { rows: [], rowCount: 0 };
    }
    if (!this.held && TRANSACTION_START.test(sql)) this.held = await this.pool.acquire();
    if (!this.held) return this.pool.exclusive(() => this.pool.run(sql, params));
    try {
      return await this.pool.run(sql, params);
    } finally {
      if (TRANSACTION_END.test(sql)) this.giveBack();
    }
  }

  /** Back to the pool: a transaction still open is rolled back first; `LISTEN`s end. */
  release(): void {
    for (const stop of this.listening.values()) void stop().catch(() => undefined);
    this.listening.clear();
    if (!this.held) return;
    void this.pool
      .run('ROLLBACK')
      .catch(() => undefined)
      .finally(() => this.giveBack());
  }

  private giveBack(): void {
    const held = this.held;
    this.held = undefined;
    held?.();
  }

  private async setListening(channel: string, on: boolean): Promise<void> {
    const name = channel.toLowerCase();
    const stop = this.listening.get(name);
    if (!on) {
      this.listening.delete(name);
      await stop?.();
      return;
    }
    if (stop) return;
    this.listening.set(
      name,
      await this.pool.listen(name, (payload) => this.emit('notification', { channel: name, payload })),
    );
  }
}

/** `bytea` comes from PGlite as a `Uint8Array`; node-postgres (and the outbox) expect a `Buffer`. */
function toNodePostgres(row: Record<string, unknown>): Record<string, unknown> {
  for (const [column, value] of Object.entries(row))
    if (value instanceof Uint8Array && !Buffer.isBuffer(value))
      row[column] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return row;
}
