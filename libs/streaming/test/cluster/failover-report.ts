import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One measured failover: how long producing and consuming stalled after the kill, and the duplicates. */
export interface FailoverFigures {
  case: string;
  duplicates: number;
  /** The longest pause between publish acknowledgements from the kill on. */
  produceStallMs: number;
  /** The longest pause between handled messages from the kill on. */
  consumeStallMs: number;
}

/** Where the cluster tests append their measured figures (one JSON line per run), for docs/operability.md. */
export const FAILOVER_REPORT =
  process.env.DATABUS_FAILOVER_REPORT ?? join(tmpdir(), 'databus-failover.jsonl');

/** Prints the figures (they are measurements, not assertions) and appends them to `FAILOVER_REPORT`. */
export function reportFailover(figures: FailoverFigures): void {
  appendFileSync(FAILOVER_REPORT, `${JSON.stringify({ at: new Date().toISOString(), ...figures })}\n`);
  process.stdout.write(
    `failover ${figures.case}: produce stalled ${figures.produceStallMs} ms, consume stalled ` +
      `${figures.consumeStallMs} ms, ${figures.duplicates} duplicate deliveries\n`,
  );
}
