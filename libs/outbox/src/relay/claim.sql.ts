/**
 * The relay's statements for one outbox table.
 *
 * `claim` locks up to $1 of the oldest rows with `FOR UPDATE SKIP LOCKED` (rows another relay holds are
 * skipped, so instances share the table without publishing a row twice), then keeps only the rows that have
 * no earlier row of the same key outside this claim: an earlier row that another relay holds is still being
 * published, and publishing ours before it would break the per-key order. The dropped rows stay locked
 * until this round commits and are taken by a later round.
 *
 * `note` records a transient failure (`last_error` only), `refuse` a permanent one (`attempts` + 1), and
 * `bury` moves a row to the dead-letter table with its attempts and last error.
 */
export function relayStatements(
  table: string,
  dead: string,
): { claim: string; remove: string; note: string; refuse: string; bury: string } {
  return {
    claim: `
      WITH claimed AS (
        SELECT id, kind, destination, message_key FROM ${table} ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
      )
      SELECT o.id, o.message_id, o.kind, o.destination, o.message_key, o.headers, o.encoding, o.payload,
             o.options, o.attempts, (SELECT count(*) FROM claimed) AS claimed_count
        FROM ${table} o JOIN claimed c ON c.id = o.id
       WHERE c.message_key IS NULL OR NOT EXISTS (
               SELECT 1 FROM ${table} e
                WHERE e.kind = c.kind AND e.destination = c.destination AND e.message_key = c.message_key
                  AND e.id < c.id AND e.id NOT IN (SELECT id FROM claimed))
       ORDER BY o.id`,
    remove: `DELETE FROM ${table} WHERE id = ANY($1::bigint[])`,
    note: `UPDATE ${table} SET last_error = $2 WHERE id = ANY($1::bigint[])`,
    refuse: `UPDATE ${table} SET attempts = attempts + 1, last_error = $2 WHERE id = $1::bigint`,
    bury: `
      WITH moved AS (DELETE FROM ${table} WHERE id = $1::bigint RETURNING *)
      INSERT INTO ${dead} (id, message_id, kind, destination, message_key, headers, encoding, payload, options,
                           created_at, attempts, last_error)
      SELECT id, message_id, kind, destination, message_key, headers, encoding, payload, options, created_at,
             attempts + 1, $2 FROM moved`,
  };
}
