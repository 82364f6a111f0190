/** What the outbox reads of a statement's result (node-postgres `QueryResult` has it). @publicApi */
export interface OutboxQueryResult {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are read by column, as with pg
  rows: any[];
  rowCount: number | null;
}

/**
 * What the outbox needs of a pool connection: a node-postgres `PoolClient` is one. Transactions are run
 * with `BEGIN` / `COMMIT` on it; the relay's `LISTEN` connection listens for `notification`. @publicApi
 */
export interface OutboxPoolClient {
  query(sql: string, params?: unknown[]): Promise<OutboxQueryResult>;
  /** Gives the connection back; with an error, the pool discards it. */
  release(error?: Error | boolean): void;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/**
 * What the outbox needs of a database pool: a node-postgres `pg.Pool` is one, and so is any pool with these
 * methods (an embedded PostgreSQL in tests or demos, say). @publicApi
 */
export interface OutboxPool {
  connect(): Promise<OutboxPoolClient>;
  query(sql: string, params?: unknown[]): Promise<OutboxQueryResult>;
  end(): Promise<void>;
}
