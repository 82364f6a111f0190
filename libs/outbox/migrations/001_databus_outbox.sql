-- @databus/outbox schema, version 1. Applied by `npx databus-outbox migrate --url postgres://…` (or the
-- exported migrate() function); never at application startup. Safe to run again: every statement is idempotent.

-- Messages written inside the user's transaction, published by the relay after the commit, then deleted.
CREATE TABLE IF NOT EXISTS databus_outbox (
  id            bigserial   PRIMARY KEY,                 -- commit order per key (see OutboxService)
  message_id    text        NOT NULL UNIQUE,             -- x-databus-message-id / AMQP message id
  kind          text        NOT NULL CHECK (kind IN ('dataset', 'task')),
  destination   text        NOT NULL,                    -- dataset or queue name
  message_key   text,                                    -- ordering key (datasets)
  headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  encoding      text        NOT NULL CHECK (encoding IN ('json', 'text', 'bytes')),
  payload       bytea       NOT NULL,
  options       jsonb       NOT NULL DEFAULT '{}'::jsonb, -- enqueue options (priority, correlation id)
  created_at    timestamptz NOT NULL DEFAULT now(),
  attempts      integer     NOT NULL DEFAULT 0,
  last_error    text
);

-- The relay's per-key order check: is there an earlier row of this key that another relay holds?
CREATE INDEX IF NOT EXISTS databus_outbox_key ON databus_outbox (kind, destination, message_key, id)
  WHERE message_key IS NOT NULL;

-- Wakes the relays (LISTEN databus_outbox; the payload is the schema) when a transaction that wrote rows commits; polling is the fallback.
CREATE OR REPLACE FUNCTION databus_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('databus_outbox', TG_TABLE_SCHEMA);
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS databus_outbox_notify ON databus_outbox;
CREATE TRIGGER databus_outbox_notify AFTER INSERT ON databus_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION databus_outbox_notify();

-- Message ids that idempotent handlers processed, written in the handler's own transaction.
CREATE TABLE IF NOT EXISTS databus_inbox (
  consumer      text        NOT NULL,                    -- Class.method of the handler
  message_id    text        NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);
CREATE INDEX IF NOT EXISTS databus_inbox_processed_at ON databus_inbox (processed_at);

CREATE TABLE IF NOT EXISTS databus_outbox_schema (version integer PRIMARY KEY);
INSERT INTO databus_outbox_schema (version) VALUES (1) ON CONFLICT DO NOTHING;
