// Reads a V8 .cpuprofile (node --cpu-prof) and summarises where the time went: top self-time frames and
// self time per package (databus libs, broker clients, Nest, Node internals, GC).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './common.mjs';

/** The package or area a frame's script belongs to. */
export function areaOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  const path = url.replace(/^file:\/\//, '');
  const lib = path.match(/\/libs\/([^/]+)\/dist\//);
  if (lib) return `@databus/${lib[1]}`;
  const mod = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
  if (mod) return mod[mod.length - 1].replace(/^node_modules\//, '').replace(/\/$/, '');
  if (path.startsWith('node:')) return 'node internals';
  if (path.includes('/bench/')) return 'bench harness';
  return 'other';
}

/**
 * @returns {{ totalMs: number, top: {frame: string, area: string, selfMs: number, pct: number}[],
 *   areas: {area: string, selfMs: number, pct: number}[] }}
 */
export function summarizeProfile(file, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const frames = new Map();
  const areas = new Map();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') continue;
    totalMs += ms;
    const url = callFrame.url ?? '';
    const file = relative(ROOT, url.replace(/^file:\/\//, '')).replace(
      /^node_modules\/\.databus-bench-snapshot\/node_modules\/@databus\/([^/]+)\//,
      'libs/$1/',
    ); // the harness's snapshot of libs/<name>/dist
    const where = url ? `${file}:${callFrame.lineNumber + 1}` : '';
    const frame = where ? `${name} ${where}` : name;
    const area = areaOf(url, name);
    const entry = frames.get(frame) ?? { frame, area, selfMs: 0 };
    entry.selfMs += ms;
    frames.set(frame, entry);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  const pct = (ms) => +((100 * ms) / totalMs).toFixed(1);
  return {
    totalMs: +totalMs.toFixed(1),
    top: [...frames.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((f) => ({ ...f, selfMs: +f.selfMs.toFixed(1), pct: pct(f.selfMs) })),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, ms]) => ({ area, selfMs: +ms.toFixed(1), pct: pct(ms) })),
  };
}
