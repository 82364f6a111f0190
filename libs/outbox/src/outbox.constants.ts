/** Injection token of the resolved `OutboxModule` options. */
export const OUTBOX_OPTIONS = Symbol('databus:outbox-options');
/** Injection token of the `pg.Pool` the outbox uses. */
export const OUTBOX_POOL = Symbol('databus:outbox-pool');

/** The channel the migration's trigger notifies on commit (the payload is the table's schema). */
export const OUTBOX_NOTIFY_CHANNEL = 'databus_outbox';

/** Header carrying the producer-assigned message id of a dataset message (same as `DatabusHeaders.MESSAGE_ID`). */
export const MESSAGE_ID_HEADER = 'x-databus-message-id';

/** The command that creates the tables, named by every "missing table" error. */
export const MIGRATE_COMMAND = 'npx databus-outbox migrate --url <postgres-url>';

/** The latest schema version the package ships (migrations/NNN_*.sql). */
export const SCHEMA_VERSION = 2;
