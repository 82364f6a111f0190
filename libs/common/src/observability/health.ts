/**
 * One entry of a health result, the shape every databus indicator (streaming, queue, auth) returns and
 * @nestjs/terminus expects, without importing terminus:
 * - `status`: `down` counts as a failed check;
 * - `degraded`: up, but not fully (reconnecting, serving a stale token);
 * - `reason`: why it is down or degraded, secret-free;
 * - any further details of the indicator.
 * @publicApi
 */
export interface HealthEntry {
  status: 'up' | 'down';
  degraded?: boolean;
  reason?: string;
  [detail: string]: unknown;
}

/** A health result: `{ [key]: HealthEntry }`. @publicApi */
export type HealthResult<E extends HealthEntry = HealthEntry> = Record<string, E>;

/** What a check found: down with a reason, up but degraded with a reason, or up. */
export type HealthVerdict =
  { status: 'down'; reason: string } | { status: 'up'; degraded: true; reason: string } | { status: 'up' };

/** `{ [key]: { status, degraded?, reason?, ...details } }` from a verdict and the indicator's details. */
export function healthResult<D extends object>(
  key: string,
  verdict: HealthVerdict,
  details: D,
): HealthResult<HealthEntry & D> {
  return { [key]: { ...verdict, ...details } as HealthEntry & D };
}

/** What a connection's health check reads: the connection and its handlers' consumers. */
export interface ConnectionHealthInput {
  /** Named in the degraded reason: `connection reconnecting`, `transport disconnected`. */
  subject: string;
  /**
   * The connection's state (`connected`, `reconnecting`, `closed`, `failed`…): `closed` and `failed` are down,
   * anything else but `connected` is degraded.
   */
  state: string;
  /** Why a `failed` connection failed (its error's message). */
  failure?: string;
  /** The handlers; one whose consumer `failed` makes the connection down. */
  handlers: ReadonlyArray<{ id: string; state: string; error?: string }>;
  /** Checks of a connected connection whose handlers all run (the queue's consumer re-attach count). */
  connected?: () => HealthVerdict;
}

/**
 * The one verdict rule of the streaming and queue indicators: down when the connection is closed or failed or
 * a handler's consumer stopped on an error (never a zombie); up with `degraded` while the connection is not
 * connected; otherwise what `connected` says, or up.
 */
export function connectionVerdict(input: ConnectionHealthInput): HealthVerdict {
  if (input.state === 'closed') return { status: 'down', reason: 'connection closed' };
  if (input.state === 'failed') return { status: 'down', reason: input.failure ?? 'connection failed' };
  const failed = input.handlers.filter((h) => h.state === 'failed');
  if (failed.length)
    return {
      status: 'down',
      reason: `consumer stopped: ${failed.map((h) => `${h.id} (${h.error})`).join(', ')}`,
    };
  if (input.state !== 'connected')
    return { status: 'up', degraded: true, reason: `${input.subject} ${input.state}` };
  return input.connected?.() ?? { status: 'up' };
}

/**
 * The health result of a connection's indicator: the verdict of `connectionVerdict(input)` under `key`, with
 * the indicator's details (`{ [key]: { status, degraded?, reason?, ...details } }`).
 */
export function connectionHealth<D extends object>(
  key: string,
  input: ConnectionHealthInput,
  details: D,
): HealthResult<HealthEntry & D> {
  return healthResult(key, connectionVerdict(input), details);
}
