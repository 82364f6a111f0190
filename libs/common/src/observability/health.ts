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
