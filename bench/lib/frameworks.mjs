// Shared parts of the benches that compare databus with raw clients and other frameworks per case (produce,
// consume, latency), one forked process per case and kind: amqp-queue and mqtt-frameworks. Each bench keeps
// what is its broker's and its frameworks' own (the children, the queues or topics); the bookkeeping of the
// alternated repetitions, the summary and the printed lines are here.
import { median, stats } from './common.mjs';

/** `runs[kind]` = `{ produce: [], consume: [], latency: [] }` for every kind, filled by `record`. */
export const emptyRuns = (kinds) =>
  Object.fromEntries(kinds.map((kind) => [kind, { produce: [], consume: [], latency: [] }]));

/**
 * Files one repetition's `[produced, consumed, latency]` results of `kind` in `runs` and logs its line
 * (`<name> rep 2/3 <kind>: produce …/s, consume …/s … µs/msg, p99 … ms`).
 */
export function record(runs, kind, [produced, consumed, latency], { name, rep, repetitions, log }) {
  runs[kind].produce.push(produced);
  runs[kind].consume.push(consumed);
  runs[kind].latency.push(latency);
  log(
    `${name} rep ${rep + 1}/${repetitions} ${kind}: produce ${Math.round(produced.rate)}/s, ` +
      `consume ${Math.round(consumed.rate)}/s ${consumed.cpuUsPerMsg.toFixed(1)} µs/msg, p99 ${latency.p99Ms.toFixed(1)} ms`,
  );
}

/**
 * The result of a comparison: `settings`, `kinds`, `runs` and per kind a summary labelled `labels[kind]`:
 * medians and ranges of every case, and the medians of the per-repetition ratios against `raw` (NaN without
 * a raw kind), the consumer's peak RSS above raw's included.
 */
export function summarizeRuns({ kinds, runs, labels, ...settings }) {
  const summary = {};
  for (const kind of kinds) {
    const r = runs[kind];
    const ratioTo = (list, field) =>
      runs.raw ? median(r[list].map((x, i) => x[field] / runs.raw[list][i][field])) : NaN;
    summary[kind] = {
      label: labels[kind],
      produce: {
        rate: stats(r.produce.map((x) => x.rate)),
        cpuUsPerMsg: median(r.produce.map((x) => x.cpuUsPerMsg)),
        rateRatio: ratioTo('produce', 'rate'),
        cpuRatio: ratioTo('produce', 'cpuUsPerMsg'),
      },
      consume: {
        rate: stats(r.consume.map((x) => x.rate)),
        cpuUsPerMsg: median(r.consume.map((x) => x.cpuUsPerMsg)),
        peakRssMB: median(r.consume.map((x) => x.peakRssMB)),
        rateRatio: ratioTo('consume', 'rate'),
        cpuRatio: ratioTo('consume', 'cpuUsPerMsg'),
        rssDeltaMB: runs.raw
          ? median(r.consume.map((x, i) => x.peakRssMB - runs.raw.consume[i].peakRssMB))
          : NaN,
      },
      latency: {
        p50Ms: median(r.latency.map((x) => x.p50Ms)),
        p99Ms: median(r.latency.map((x) => x.p99Ms)),
        p50Ratio: ratioTo('latency', 'p50Ms'),
        p99Ratio: ratioTo('latency', 'p99Ms'),
        // the messages a latency run handles before its measured ones, where the bench has them (mqtt)
        ...(r.latency.some((x) => x.warmupP99Ms !== undefined)
          ? { warmupP99Ms: median(r.latency.map((x) => x.warmupP99Ms)) }
          : {}),
      },
    };
  }
  return { ...settings, kinds, summary, runs };
}

/** Prints one line per kind of a `summarizeRuns` result. */
export function printSummary(result) {
  const width = Math.max(...Object.values(result.summary).map((s) => s.label.length)) + 2;
  const signed = (n) => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
  for (const s of Object.values(result.summary))
    console.log(
      `${s.label.padEnd(width)} produce ${Math.round(s.produce.rate.median)}/s (${s.produce.rateRatio.toFixed(2)}x)  ` +
        `consume ${Math.round(s.consume.rate.median)}/s (${s.consume.rateRatio.toFixed(2)}x, ${s.consume.cpuUsPerMsg.toFixed(1)} µs/msg ` +
        `${s.consume.cpuRatio.toFixed(2)}x, ${s.consume.peakRssMB.toFixed(0)} MB, raw ${signed(s.consume.rssDeltaMB)} MB)  ` +
        `p50/p99 ${s.latency.p50Ms.toFixed(1)}/${s.latency.p99Ms.toFixed(1)} ms`,
    );
}
