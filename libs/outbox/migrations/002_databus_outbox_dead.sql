-- @databus/outbox schema, version 2: the dead-letter table of the relay. Upgrades a version 1 schema in place
-- (`npx databus-outbox migrate --url postgres://…` applies only the versions a schema lacks).

-- Rows the broker refused permanently `relay.maxAttempts` times, moved here by the relay (one ERROR logged
-- per row) so that the later rows of their key go on. Same columns as databus_outbox, plus when and why.
-- Replay one by inserting it back into databus_outbox (it is then published after the rows already there).
CREATE TABLE IF NOT EXISTS databus_outbox_dead (
  id            bigint      PRIMARY KEY,                 -- its id in databus_outbox
  message_id    text        NOT NULL,
  kind          text        NOT NULL CHECK (kind IN ('dataset', 'task')),
  destination   text        NOT NULL,
  message_key   text,
  headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  encoding      text        NOT NULL CHECK (encoding IN ('json', 'text', 'bytes')),
  payload       bytea       NOT NULL,
  options       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL,
  attempts      integer     NOT NULL,
  last_error    text        NOT NULL,
  dead_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS databus_outbox_dead_destination ON databus_outbox_dead (kind, destination, dead_at);

COMMENT ON COLUMN databus_outbox.attempts IS 'publishes of this row the broker refused permanently';

INSERT INTO databus_outbox_schema (version) VALUES (2) ON CONFLICT DO NOTHING;
