import { createHash, randomUUID } from 'node:crypto';

/** Durable session ids held by open subscriptions of this process (two members must never share one). */
const inUse = new Set<string>();

/** Longest client id we send as is; longer ids are shortened with a hash (some brokers cap them). */
const MAX_READABLE = 100;

/**
 * The MQTT client id of a durable group member: stable for (clientId, dataset, group), so the persistent
 * session is found again after a restart, and `#<n>` appended for the n-th member of the same group in the
 * same process (several apps in one process, as in tests). Release it with the returned function.
 */
export function claimSessionId(clientId: string, dataset: string, group: string): [string, () => void] {
  const base = shorten(`${clientId}:${group}:${dataset}`);
  let id = base;
  for (let slot = 2; inUse.has(id); slot++) id = `${base}#${slot}`;
  inUse.add(id);
  let released = false;
  return [
    id,
    () => {
      if (released) return;
      released = true;
      inUse.delete(id);
    },
  ];
}

/** A client id for a connection whose session need not outlive it (producer, private subscription). */
export function ephemeralId(clientId: string, role: string): string {
  return shorten(`${clientId}:${role}:${randomUUID().slice(0, 8)}`);
}

function shorten(id: string): string {
  if (id.length <= MAX_READABLE) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${id.slice(0, MAX_READABLE - 17)}~${hash}`;
}
