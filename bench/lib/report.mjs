// Turns the harness's results into rows, target verdicts, a stdout table, docs/benchmarks.md and an SVG chart.

/** A figure not measured: undefined, NaN, or null (what JSON makes of NaN when a run is re-rendered). */
const missing = (x) => x === undefined || x === null || Number.isNaN(x);
const fmtRate = (r) => (missing(r) ? '–' : r >= 10_000 ? `${(r / 1000).toFixed(1)}k` : `${Math.round(r)}`);
const fmtX = (x) => (missing(x) ? '–' : `${x.toFixed(2)}x`);
const fmtNum = (x, d = 1) => (missing(x) ? '–' : x.toFixed(d));
const range = (s) => (s ? `${fmtRate(s.min)}–${fmtRate(s.max)}` : '–');

/** One row per (section, library, operation) with throughput, CPU, RSS, latency and ratios to raw. */
export function collectRows(results) {
  const rows = [];
  const s = results.sections;
  const pushQueue = (section, transport, data) => {
    if (!data?.summary) return;
    for (const [kind, k] of Object.entries(data.summary)) {
      rows.push({
        section,
        transport,
        library: k.label,
        kind,
        op: 'produce',
        rate: k.produce.rate,
        rateRatio: k.produce.rateRatio,
        cpu: k.produce.cpuUsPerMsg,
        cpuRatio: k.produce.cpuRatio,
      });
      rows.push({
        section,
        transport,
        library: k.label,
        kind,
        op: 'consume',
        rate: k.consume.rate,
        rateRatio: k.consume.rateRatio,
        cpu: k.consume.cpuUsPerMsg,
        cpuRatio: k.consume.cpuRatio,
        rss: k.consume.peakRssMB,
        rssDelta: k.consume.rssDeltaMB,
        p50: k.latency.p50Ms,
        p99: k.latency.p99Ms,
        // the p99 of the untimed messages a latency run starts with (mqtt), kept on the record
        ...(k.latency.warmupP99Ms !== undefined ? { warmupP99: k.latency.warmupP99Ms } : {}),
      });
    }
  };
  pushQueue('RabbitMQ work queue', 'amqp', s.amqpQueue);
  pushQueue('MQTT QoS 1', 'mqtt', s.mqtt);
  const pushStream = (section, transport, consume, produce, rawLabel) => {
    if (consume?.summary) {
      const raw = consume.summary.raw;
      const labels = {
        raw: rawLabel,
        handler: '@OnDatasetMessage (group, commits)',
        private: 'subscribe callback (no group)',
      };
      for (const [kind, k] of Object.entries(consume.summary))
        rows.push({
          section,
          transport,
          library: labels[kind] ?? kind,
          kind,
          op: 'consume',
          rate: { median: k.median, min: Math.min(...k.rates), max: Math.max(...k.rates), runs: k.rates },
          rateRatio: kind === 'raw' ? 1 : consume.ratio?.[`${kind}OverRaw`],
          cpu: k.cpuUsPerMsg,
          cpuRatio: k.cpuUsPerMsg / raw.cpuUsPerMsg,
        });
    }
    if (produce?.summary) {
      const labels = {
        raw: rawLabel,
        databus: 'ChannelService.produce (1000 in flight)',
        'databus-many': 'ChannelService.produceMany (1000 per call)',
      };
      for (const [kind, k] of Object.entries(produce.summary))
        rows.push({
          section,
          transport,
          library: labels[kind] ?? kind,
          kind,
          op: 'produce',
          rate: k.rate,
          rateRatio: k.rateRatio,
          cpu: k.cpuUsPerMsg,
          cpuRatio: k.cpuRatio,
        });
    }
  };
  pushStream('RabbitMQ streams', 'amqp', s.amqpStream, s.amqpStreamProduce, 'raw amqplib');
  pushStream('NATS JetStream', 'nats', s.natsStream, s.natsProduce, 'raw @nats-io/jetstream');
  pushStream('Kafka', 'kafka', s.kafka, s.kafkaProduce, 'raw kafkajs');
  pushStream("MQTT QoS 1 (transport author's bench)", 'mqtt', s.mqttStream, undefined, 'raw mqtt.js');
  const FIRST = { memory: 'memory', nats: 'NATS JetStream', amqp: 'RabbitMQ streams', kafka: 'Kafka' };
  for (const [transport, entry] of Object.entries(s.firstMessage?.transports ?? {}))
    for (const [kind, k] of Object.entries(entry))
      rows.push({
        section: 'First message',
        transport,
        library: `${FIRST[transport] ?? transport}: ${kind === 'raw' ? k.label : 'subscribe({ batch: 1 })'}`,
        kind,
        op: 'first',
        firstMs: k,
      });
  if (s.outboxRelay?.p50Ms !== undefined)
    rows.push({
      section: 'Outbox relay',
      transport: 'nats',
      library: 'OutboxService.produce in a transaction → relay → ChannelService',
      kind: 'outbox',
      op: 'commit → ack',
      p50: s.outboxRelay.p50Ms,
      p99: s.outboxRelay.p99Ms,
    });
  return rows;
}

const find = (rows, section, kind, op) =>
  rows.find((r) => r.section === section && r.kind === kind && r.op === op);
/** Median over repetitions of a/b, from two rows' per-run rates. */
const runRatio = (a, b) => {
  if (!a?.rate?.runs || !b?.rate?.runs) return NaN;
  const xs = a.rate.runs.map((x, i) => x / b.rate.runs[i]).sort((p, q) => p - q);
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
};

/** The issue's targets, each with the measured value and a verdict. */
export function evaluateTargets(results, rows) {
  const t = [];
  const add = (target, subject, value, ok, shown) =>
    t.push({
      target,
      subject,
      value,
      shown: shown ?? (Number.isNaN(value) ? 'not measured' : fmtX(value)),
      met: Number.isNaN(value) ? null : ok,
    });
  const ours = [
    ['RabbitMQ work queue', 'task'],
    ['RabbitMQ streams', 'handler'],
    ['RabbitMQ streams', 'databus'],
    ['NATS JetStream', 'handler'],
    ['NATS JetStream', 'databus'],
    ['MQTT QoS 1', 'databus'],
    ['Kafka', 'handler'],
    ['Kafka', 'databus'],
    ["MQTT QoS 1 (transport author's bench)", 'handler'],
  ];
  for (const op of ['consume', 'produce'])
    for (const [section, kind] of ours) {
      const row = find(rows, section, kind, op);
      if (!row) continue;
      add(
        `${op} throughput >= 0.95x raw`,
        `${section}: ${row.library}`,
        row.rateRatio,
        row.rateRatio >= 0.95,
      );
    }
  for (const op of ['consume', 'produce'])
    for (const [section, kind] of ours) {
      const row = find(rows, section, kind, op);
      if (!row) continue;
      add(
        `${op} client CPU/msg <= 1.25x raw`,
        `${section}: ${row.library}`,
        row.cpuRatio,
        row.cpuRatio <= 1.25,
      );
    }
  for (const [section, kind] of ours) {
    const row = find(rows, section, kind, 'consume');
    if (row?.rssDelta === undefined) continue;
    add(
      'peak RSS <= raw + 30 MB',
      `${section}: ${row.library}`,
      row.rssDelta,
      row.rssDelta <= 30,
      `${row.rssDelta >= 0 ? '+' : ''}${fmtNum(row.rssDelta)} MB`,
    );
  }
  for (const op of ['consume', 'produce']) {
    const q = (kind) => find(rows, 'RabbitMQ work queue', kind, op);
    const vsNest = runRatio(q('task'), q('nest'));
    add(`${op} >= 1.2x @nestjs/microservices`, 'RabbitMQ: @databus/queue vs Nest RMQ', vsNest, vsNest >= 1.2);
    const vsGl = runRatio(q('task'), q('golevelup'));
    add(`${op} ahead of golevelup`, 'RabbitMQ: @databus/queue vs golevelup', vsGl, vsGl > 1);
    const m = (kind) => find(rows, 'MQTT QoS 1', kind, op);
    // Like for like: Nest subscribes the plain topic, so its consumer is compared with databus's plain-topic
    // subscription (no group: no shared subscription, no persistent session; still PUBACK after the handler).
    const ours = op === 'consume' && m('plain')?.rate?.runs ? m('plain') : m('databus');
    const vsNestMqtt = runRatio(ours, m('nest'));
    add(
      `${op} >= 1.2x @nestjs/microservices`,
      'MQTT: @databus/streaming vs Nest MQTT',
      vsNestMqtt,
      vsNestMqtt >= 1.2,
    );
  }
  for (const [section, kind] of [
    ['RabbitMQ work queue', 'task'],
    ['MQTT QoS 1', 'databus'],
  ]) {
    const ours = find(rows, section, kind, 'consume');
    const raw = find(rows, section, 'raw', 'consume');
    if (ours?.p99 === undefined || raw?.p99 === undefined) continue;
    const over = ours.p99 - raw.p99;
    add(
      'p99 latency at 1000 msg/s <= raw p99 + 1 ms',
      `${section}: ${ours.library}`,
      over,
      over <= 1,
      `${fmtNum(ours.p99)} ms (raw ${fmtNum(raw.p99)} ms)` +
        (ours.warmupP99 !== undefined && raw.warmupP99 !== undefined
          ? `; warm-up messages before the window: ${fmtNum(ours.warmupP99)} ms (raw ${fmtNum(raw.warmupP99)} ms)`
          : ''),
    );
  }
  for (const row of rows.filter((r) => r.section === 'First message' && r.kind === 'databus')) {
    const raw = rows.find(
      (r) => r.section === 'First message' && r.kind === 'raw' && r.transport === row.transport,
    );
    const ms = row.firstMs.median;
    add(
      'batch: 1 subscription: first stored message < 5 ms',
      row.library,
      ms,
      ms < 5,
      `${fmtNum(ms, 2)} ms${raw ? ` (raw ${fmtNum(raw.firstMs.median, 2)} ms)` : ''}`,
    );
  }
  const dispatch = results.sections.memory?.results?.find((r) => r.group === 'dispatch');
  if (dispatch) {
    const rate = dispatch.result.rate.median;
    add(
      'memory >= 300k msg/s (decorated handler, commits)',
      `memory: ${dispatch.label} (wall clock)`,
      rate,
      rate >= 300_000,
      `${fmtRate(rate)} msg/s`,
    );
    const core = 1e6 / dispatch.result.cpuUsPerMsg;
    add(
      'memory >= 300k msg/s (decorated handler, commits)',
      `memory: ${dispatch.label} (1 / CPU per msg)`,
      core,
      core >= 300_000,
      `${fmtRate(core)} msg/s`,
    );
  }
  const jwt = results.sections.jwt;
  if (jwt)
    add(
      '10,000 concurrent getToken() at expiry -> 1 request',
      'JwtManager',
      jwt.requestsAtExpiry,
      jwt.met,
      `${jwt.requestsAtExpiry} request(s)`,
    );
  return t;
}

const verdict = (met) => (met === null ? 'n/a' : met ? 'met' : 'MISSED');

/** Plain-text tables for stdout. */
export function renderText(results, rows, targets) {
  const lines = [];
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  lines.push(
    `databus benchmarks (${results.mode}) ${results.env.date}  nproc ${results.env.nproc}, load ${results.env.loadavg.join(' ')}`,
  );
  lines.push('');
  const sw = Math.max(22, ...rows.map((r) => r.section.length + 2));
  lines.push(
    `${pad('section', sw)}${pad('library', 44)}${pad('op', 8)}${lpad('msg/s', 8)}${lpad('min–max', 14)}${lpad('x raw', 7)}${lpad('µs/msg', 8)}${lpad('x raw', 7)}${lpad('RSS MB', 8)}${lpad('p50/p99 ms', 13)}`,
  );
  for (const r of rows.filter((row) => row.op !== 'first'))
    lines.push(
      `${pad(r.section, sw)}${pad(r.library.slice(0, 43), 44)}${pad(r.op, 8)}${lpad(fmtRate(r.rate?.median), 8)}${lpad(range(r.rate), 14)}` +
        `${lpad(fmtX(r.rateRatio), 7)}${lpad(fmtNum(r.cpu), 8)}${lpad(fmtX(r.cpuRatio), 7)}${lpad(r.rss ? fmtNum(r.rss, 0) : '–', 8)}` +
        `${lpad(r.p50 !== undefined ? `${fmtNum(r.p50)}/${fmtNum(r.p99)}` : '–', 13)}`,
    );
  const firsts = rows.filter((row) => row.op === 'first');
  if (firsts.length) lines.push('', 'first stored message, batch: 1 (median, min–max ms)');
  for (const r of firsts)
    lines.push(
      `  ${pad(r.library, 72)}${lpad(fmtNum(r.firstMs.median, 2), 8)}  ${fmtNum(r.firstMs.min, 2)}–${fmtNum(r.firstMs.max, 2)}`,
    );
  const mem = results.sections.memory;
  if (mem) {
    lines.push('');
    lines.push(
      `${pad('memory transport', 40)}${lpad('msg/s', 9)}${lpad('CPU µs/msg', 12)}${lpad('runtime µs', 12)}${lpad('RSS MB', 8)}`,
    );
    for (const m of mem.results)
      lines.push(
        m.result.rate
          ? `${pad(`${m.group}: ${m.label}`, 40)}${lpad(fmtRate(m.result.rate.median), 9)}${lpad(fmtNum(m.result.cpuUsPerMsg, 2), 12)}${lpad(fmtNum(m.result.runtimeUsPerMsg, 2), 12)}${lpad(fmtNum(m.result.peakRssMB, 0), 8)}`
          : `${pad(`${m.group}: ${m.label}`, 40)}${lpad(`${fmtNum(m.result.bootstrapMs.median, 0)} ms`, 9)}`,
      );
  }
  const jwt = results.sections.jwt;
  if (jwt) {
    lines.push('');
    lines.push(
      `JwtManager: getHeaders() warm ${fmtNum(jwt.getHeadersNs, 0)} ns/call; ${jwt.concurrent} concurrent getToken() at expiry -> ${jwt.requestsAtExpiry} request(s)`,
    );
  }
  lines.push('');
  lines.push('targets');
  for (const t of targets)
    lines.push(`  ${pad(verdict(t.met), 7)} ${pad(t.target, 52)} ${pad(t.subject, 62)} ${t.shown}`);
  for (const e of results.errors) lines.push(`  ERROR   ${e.section}: ${e.message.split('\n')[0]}`);
  for (const k of results.skipped) lines.push(`  skipped ${k.section}: ${k.reason}`);
  return lines.join('\n');
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A hand-written SVG: for every library row that has a raw baseline, two bars (throughput and client CPU per
 * message, each as a ratio to raw from the same run), with the target lines (0.95x and 1.25x).
 */
export function renderSvg(results, rows) {
  const items = rows.filter((r) => r.kind !== 'raw' && !Number.isNaN(r.rateRatio ?? NaN));
  const ours = (r) => !/nestjs|golevelup/.test(r.library);
  const rowH = 22;
  const top = 62;
  const labelW = 500;
  const panelW = 300;
  const gap = 50;
  const maxX = 2;
  const width = labelW + 2 * panelW + gap + 50;
  const bottom = top + items.length * rowH;
  const height = bottom + 56;
  const x = (v, panel) => labelW + panel * (panelW + gap) + (Math.min(v, maxX) / maxX) * panelW;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(
    `<text x="10" y="20" font-size="15" font-weight="bold">databus and the Nest libraries vs the raw client, measured in the same run</text>`,
  );
  out.push(
    `<text x="10" y="38" fill="#4a5568">${esc(results.mode)} run ${esc(results.env.date.slice(0, 16))}Z · ${results.env.nproc} cores shared with other work (load ${results.env.loadavg[0]}) · median of per-repetition ratios</text>`,
  );
  const panels = [
    ['throughput ÷ raw (higher is better, target ≥ 0.95)', 0.95, 'rateRatio', '#2b6cb0'],
    ['client CPU per message ÷ raw (lower is better, target ≤ 1.25)', 1.25, 'cpuRatio', '#c05621'],
  ];
  items.forEach((r, i) => {
    if (i % 2 === 0)
      out.push(`<rect x="0" y="${top + i * rowH}" width="${width}" height="${rowH}" fill="#f4f6f8"/>`);
  });
  panels.forEach(([title, , , color], p) => {
    out.push(
      `<text x="${x(0, p)}" y="${top - 10}" font-weight="bold" font-size="11" fill="${color}">${esc(title)}</text>`,
    );
    for (const tick of [0, 0.5, 1, 1.5, 2]) {
      out.push(`<line x1="${x(tick, p)}" y1="${top}" x2="${x(tick, p)}" y2="${bottom}" stroke="#d2d6dc"/>`);
      out.push(
        `<text x="${x(tick, p)}" y="${bottom + 14}" text-anchor="middle" fill="#4a5568">${tick}x</text>`,
      );
    }
  });
  items.forEach((r, i) => {
    const y = top + i * rowH;
    const label = `${r.section} · ${r.op} · ${r.library}`;
    out.push(
      `<text x="10" y="${y + 15}"${ours(r) ? ' font-weight="bold"' : ' fill="#4a5568"'}>${esc(label.length > 80 ? `${label.slice(0, 79)}…` : label)}</text>`,
    );
    panels.forEach(([, target, field, color], p) => {
      const v = r[field];
      if (missing(v)) return;
      const good = p === 0 ? v >= target : v <= target;
      const fill = ours(r) ? color : '#a0aec0';
      out.push(
        `<rect x="${x(0, p)}" y="${y + 4}" width="${Math.max(1, x(v, p) - x(0, p))}" height="${rowH - 8}" fill="${fill}" fill-opacity="${ours(r) && !good ? 0.45 : 0.9}"/>`,
      );
      out.push(
        `<text x="${Math.min(x(v, p), x(maxX, p)) + 4}" y="${y + 15}" fill="#1a202c">${v.toFixed(2)}${v > maxX ? ' →' : ''}</text>`,
      );
    });
  });
  panels.forEach(([, target], p) => {
    out.push(`<line x1="${x(1, p)}" y1="${top}" x2="${x(1, p)}" y2="${bottom}" stroke="#1a202c"/>`);
    out.push(
      `<line x1="${x(target, p)}" y1="${top}" x2="${x(target, p)}" y2="${bottom}" stroke="#e53e3e" stroke-width="1.5" stroke-dasharray="4 3"/>`,
    );
  });
  out.push(
    `<text x="10" y="${bottom + 38}" fill="#4a5568">Bold rows and coloured bars: databus (pale bar = target missed). Grey: @nestjs/microservices and @golevelup/nestjs-rabbitmq. Red dashes: the target. Black line: the raw client (1x).</text>`,
  );
  out.push('</svg>');
  return out.join('\n');
}

/** One `### section` heading, note and table per section of `rows`. */
function sectionTables(results, rows) {
  const md = [];
  const sections = [...new Set(rows.map((r) => r.section))];
  for (const section of sections) {
    md.push('');
    md.push(`### ${section}`);
    md.push('');
    md.push(results.notes[section] ?? '');
    md.push('');
    if (section === 'First message') {
      md.push(
        mdTable(
          ['library', 'median ms', 'min–max ms', 'repetitions'],
          rows
            .filter((r) => r.section === section)
            .map((r) => [
              r.library,
              fmtNum(r.firstMs.median, 2),
              `${fmtNum(r.firstMs.min, 2)}–${fmtNum(r.firstMs.max, 2)}`,
              r.firstMs.runs.length,
            ]),
        ),
      );
      continue;
    }
    md.push(
      mdTable(
        ['library', 'op', 'msg/s', 'min–max', 'x raw', 'CPU µs/msg', 'x raw', 'peak RSS MB', 'p50 / p99 ms'],
        rows
          .filter((r) => r.section === section)
          .map((r) => [
            r.library,
            r.op,
            fmtRate(r.rate?.median),
            range(r.rate),
            fmtX(r.rateRatio),
            fmtNum(r.cpu),
            fmtX(r.cpuRatio),
            r.rss ? fmtNum(r.rss, 0) : '–',
            r.p50 !== undefined
              ? `${fmtNum(r.p50)} / ${fmtNum(r.p99)}` +
                (r.warmupP99 !== undefined ? ` (warm-up p99 ${fmtNum(r.warmupP99)})` : '')
              : '–',
          ]),
      ),
    );
  }
  return md;
}

/**
 * A run of some parts only (`npm run bench -- --only kafka,kafka-produce`), rendered after the main run's
 * tables with its own date, mode and load: `--render <full.json> --supplement <partial.json>`.
 */
function renderSupplement(run) {
  const rows = collectRows(run);
  const targets = evaluateTargets(run, rows).filter((t) => t.met !== null);
  return [
    '',
    `A ${run.mode} run of ${(run.only ?? Object.keys(run.sections)).map((p) => `\`${p}\``).join(', ')} only ` +
      `(\`npm run bench -- ${run.mode === 'quick' ? '--quick ' : ''}--only ${(run.only ?? []).join(',')}\`), a single run ` +
      `(streams: ${run.settings.stream.messages} messages, produce: ${run.settings.produce.messages} messages, ` +
      `${run.settings.produce.repetitions} repetitions), on ${run.env.date}: ` +
      `load average ${run.loadBefore.join(' / ')} (1/5/15 min) when it started and ${run.env.loadavg.join(' / ')} at the end, ` +
      `${Math.round(run.busyBefore * 100)}% busy in the second before it; ${run.env.nproc} cores; ` +
      `brokers ${Object.entries(run.env.brokers)
        .map(([name, version]) => `${name} ${version}`)
        .join(', ')}. ` +
      'Its ratios are measured in the same run, A/B alternated, like the tables above; compare absolute msg/s with the main run only loosely.',
    // A part with no target (the outbox relay's latency) gets no empty verdict table.
    ...(targets.length
      ? [
          '',
          mdTable(
            ['verdict', 'target', 'subject', 'measured'],
            targets.map((t) => [verdict(t.met), t.target, t.subject, t.shown]),
          ),
        ]
      : []),
    ...run.errors.map((err) => `\n**Error** in ${err.section}: \`${esc(err.message.split('\n')[0])}\``),
    ...sectionTables(run, rows),
  ];
}

const mdTable = (head, body) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** docs/benchmarks.md: settings, machine, verdicts, tables, profiles and the hand-written analysis. */
export function renderMarkdown(results, rows, targets, analysis, supplements = []) {
  const e = results.env;
  const md = [];
  md.push('# Benchmarks');
  md.push('');
  md.push(
    `Generated by \`npm run bench\` (${results.mode} run) on ${e.date}, in ${Math.round(results.durationS)} s. ` +
      'Every figure below comes from that one run; `bench/results/` holds its JSON. Re-run it with `npm run bench` ' +
      '(8–15 minutes, depending on the load) or `npm run bench -- --quick` (about 3 minutes); a quick run writes the JSON but leaves this page alone unless given `--docs`.',
  );
  md.push('');
  md.push('## Read this first: the machine was shared');
  md.push('');
  md.push(
    `This machine has ${e.nproc} cores (${esc(e.cpuModel)}, ${e.memoryGB} GB). Brokers, producers and consumers all run on it, on loopback. ` +
      `${results.loadBefore[0] >= 0.5 || results.env.loadavg[0] >= 0.5 ? 'Other work (builds, test suites) may have shared the cores during the run: load' : 'Load'} average ${results.loadBefore.join(' / ')} ` +
      `(1/5/15 min) when it started and ${results.env.loadavg.join(' / ')} at the end, and the machine was ${Math.round(results.busyBefore * 100)}% busy ` +
      'in the second before the first measurement. Absolute msg/s figures therefore move by 20–50% between runs. ' +
      'Use the **ratios**: each is the median, over the repetitions, of (library ÷ raw client) measured back to back in the ' +
      "same repetition (the queue, MQTT and produce benches run their kinds in reverse order every other repetition, A/B, B/A). Client CPU per message (the process's own CPU time over the measured window ÷ messages, in a forked " +
      'process that does nothing else) is steadier than wall-clock rates, but it still rises when the cores are contended.',
  );
  const parts = Object.entries(results.machine ?? {});
  if (parts.length) {
    md.push('');
    md.push(
      'This machine is a virtual machine: its host may run other guests on the same physical cores, which shows as ' +
        'CPU *steal* (time a core was ready to run this machine but the host ran something else; every process here, the ' +
        'brokers included, then runs slower, by no fixed amount for each). Steal over each part of this run, and its duration: ' +
        parts.map(([part, m]) => `${part} ${(m.steal * 100).toFixed(1)}% (${m.seconds} s)`).join(', ') +
        '.',
    );
  }
  md.push('');
  md.push('## Machine and versions');
  md.push('');
  md.push(
    mdTable(
      ['component', 'version'],
      [
        ['CPU', `${esc(e.cpuModel)} × ${e.nproc}`],
        ['memory', `${e.memoryGB} GB`],
        ['Node', e.node],
        ...Object.entries(e.brokers).map(([k, v]) => [k, v]),
        ...Object.entries(e.clients).map(([k, v]) => [k, v]),
      ],
    ),
  );
  md.push('');
  md.push('## Targets');
  md.push('');
  md.push(
    mdTable(
      ['verdict', 'target', 'subject', 'measured'],
      targets.map((t) => [verdict(t.met), t.target, t.subject, t.shown]),
    ),
  );
  for (const err of results.errors)
    md.push(`\n**Error** in ${err.section}: \`${esc(err.message.split('\n')[0])}\``);
  const covered = new Set(supplements.flatMap((r) => r.only ?? []));
  for (const k of results.skipped)
    md.push(
      covered.has(k.section)
        ? `\n*Skipped* ${k.section} in this run; measured separately, see [Runs made separately](#runs-made-separately).`
        : `\n*Skipped* ${k.section}: ${k.reason}`,
    );
  md.push('');
  md.push('![throughput and CPU per message as ratios to the raw client](benchmarks.svg)');
  md.push('');
  md.push('## Brokers: throughput, client CPU, memory, latency');
  md.push('');
  md.push(
    'msg/s = median over repetitions (min–max); "x raw" = median of per-repetition ratios to the raw client; µs/msg = ' +
      'client process CPU ÷ messages; RSS = peak resident set of the consumer process; p50/p99 = end-to-end latency ' +
      `(send → handled) at a fixed ${results.settings.latencyRate} msg/s. Produce = with broker acknowledgements (publisher confirms / PUBACK / PubAck), ` +
      'at most 1000 (MQTT: 400) unacknowledged. Consume = at-least-once, a manual ack/commit per message (or per batch where the library batches).',
  );
  md.push(...sectionTables(results, rows));
  if (supplements.length) md.push('', '## Runs made separately');
  for (const supplement of supplements) md.push(...renderSupplement(supplement));
  const mem = results.sections.memory;
  if (mem) {
    md.push('');
    md.push('## Memory transport and scale');
    md.push('');
    md.push(
      'Each configuration runs in its own process: N messages are produced first, then a decorated handler consumes them ' +
        '(timed from the first to the N-th handled message, commits included, bootstrap excluded). The baseline does the same ' +
        'handler work without the runtime (JSON.parse of the same bodies, await the handler); "runtime µs/msg" is the difference ' +
        'of the two CPU figures: what the retry wrapper, keyed ordering, ack tracking, the watermark commit and the memory broker cost per message. ' +
        '"1 core msg/s" = 10⁶ ÷ CPU µs/msg, the rate one uncontended core would sustain.',
    );
    md.push('');
    md.push(
      mdTable(
        [
          'group',
          'configuration',
          'messages',
          'msg/s',
          'min–max',
          '1 core msg/s',
          'CPU µs/msg',
          'baseline µs/msg',
          'runtime µs/msg',
          'peak RSS MB',
        ],
        mem.results
          .filter((m) => m.result.rate)
          .map((m) => [
            m.group,
            m.label,
            m.messages,
            fmtRate(m.result.rate.median),
            range(m.result.rate),
            fmtRate(1e6 / m.result.cpuUsPerMsg),
            fmtNum(m.result.cpuUsPerMsg, 2),
            fmtNum(m.result.baselineCpuUsPerMsg, 2),
            fmtNum(m.result.runtimeUsPerMsg, 2),
            fmtNum(m.result.peakRssMB, 0),
          ]),
      ),
    );
    const boot = mem.results.find((m) => m.group === 'bootstrap');
    if (boot)
      md.push(
        `\nBootstrap (create + init) of an application with ${boot.handlers} \`@OnDatasetMessage\` handlers on ${boot.handlers} datasets: ` +
          `**${fmtNum(boot.result.bootstrapMs.median, 0)} ms** (${fmtNum(boot.result.bootstrapMs.min, 0)}–${fmtNum(boot.result.bootstrapMs.max, 0)}), close ${fmtNum(boot.result.closeMs, 0)} ms.`,
      );
  }
  const jwt = results.sections.jwt;
  if (jwt) {
    md.push('');
    md.push('## JwtManager');
    md.push('');
    md.push(
      `Against a local HTTP token endpoint (OAuth2 client_credentials), with the manager's clock injected. ` +
        `\`getHeaders()\` on a warm cache, awaited one call after another: **${fmtNum(jwt.getHeadersNs, 0)} ns per call** ` +
        `(${fmtRate(jwt.getHeadersPerSec)} calls/s; the synchronous \`current()\` costs ${fmtNum(jwt.currentNs, 0)} ns). ` +
        `${jwt.concurrent.toLocaleString('en')} concurrent \`getToken()\` calls once the token has expired made ` +
        `**${jwt.stampede.map((s) => s.requests).join(', ')}** token request(s) over ${jwt.stampede.length} repetitions ` +
        `(target: 1), all callers got the same token, in ${fmtNum(jwt.stampedeMs)} ms.`,
    );
  }
  if (results.sections.profiles) {
    md.push('');
    md.push('## Where the time goes (CPU profiles)');
    md.push('');
    md.push(
      'Sampled with the V8 profiler (100 µs interval) over the measured window only, in the forked process ' +
        '(`node --cpu-prof` gives the same picture with the startup mixed in). Self time, grouped by package, then the top frames.',
    );
    for (const [name, p] of Object.entries(results.sections.profiles)) {
      if (!p?.summary) continue;
      md.push('');
      md.push(`### ${name}`);
      md.push('');
      md.push(
        `${p.messages} messages, ${fmtNum(p.summary.totalMs, 0)} ms of samples (${fmtNum((p.summary.totalMs * 1000) / p.messages, 1)} µs/msg sampled).`,
      );
      md.push('');
      md.push(
        mdTable(
          ['area', 'self ms', '%'],
          p.summary.areas.slice(0, 8).map((a) => [esc(a.area), fmtNum(a.selfMs), fmtNum(a.pct)]),
        ),
      );
      md.push('');
      md.push(
        mdTable(
          ['frame', 'area', 'self ms', '%'],
          p.summary.top
            .slice(0, 12)
            .map((f) => [`\`${esc(f.frame)}\``, esc(f.area), fmtNum(f.selfMs), fmtNum(f.pct)]),
        ),
      );
    }
  }
  if (analysis) {
    md.push('');
    md.push(analysis.trim());
  }
  md.push('');
  md.push('## How it is measured');
  md.push('');
  md.push(
    [
      '- `bench/run.mjs` builds the libraries when a `dist` is missing, then runs each part below in turn; every measurement runs in a forked process, so its CPU and RSS are its own.',
      "- `bench/amqp-queue.mjs`: per repetition and per library (raw amqplib, `@TaskHandler`/`TaskQueue.enqueue`, Nest RMQ with `noAck:false` + manual ack and `persistent: true`, golevelup), a forked producer publishes N persistent messages into a durable classic queue awaiting confirms every 1000 (after a warm-up of 10,000 messages sent the same way and purged, so that the JIT compiling each client's publish path, partly on V8's background threads, is not counted as per-message CPU: in a 20,000-message run without it that warm-up was a third of every producer's CPU), then a forked consumer drains them alone with the same prefetch and a manual ack per message; then a fixed-rate raw producer feeds the same consumer for the latency figures. The four producers publish with the same guarantees: persistent (delivery mode 2), on a confirm channel, a message counted only once the broker confirmed it (raw: `ConfirmChannel.waitForConfirms()` after each 1000; `TaskQueue.enqueue` resolves on its confirm; Nest `ClientRMQ.emit` and golevelup `AmqpConnection.publish` both go through amqp-connection-manager's `ChannelWrapper`, which opens a confirm channel by default and settles each publish on its confirm). All four send the properties `TaskQueue.enqueue` puts on every task (`content-type: application/json`, a random UUID `message-id`, a `timestamp`), so the broker stores the same messages for each: together those two properties cost RabbitMQ about 15 µs of CPU per message, a quarter of the produce throughput (analysis §10a). The produce rows are bounded by the broker, not the client: RabbitMQ spends 60–75 µs of CPU per such persistent message into one durable classic queue, four times the client's 14–18 µs, and a window of 1000 serialises the two, so the clients differ mostly in CPU per message (see the analysis).",
      "- `bench/mqtt-frameworks.mjs`: QoS 1 end to end. A forked consumer subscribes, a forked raw publisher is credited by the consumer's progress (at most 400 unhandled: Mosquitto's defaults drop QoS 1 messages to a slow subscriber), so a lost message fails the run. databus and raw mqtt.js both use an MQTT 5 shared subscription; Nest subscribes the plain topic, and the consume row against Nest is databus's plain-topic subscription (`ChannelService.subscribe` with a callback and no group, PUBACK after the callback; the row \"no group\").",
      "- `bench/streaming-amqp.mjs`, `bench/streaming-nats.mjs`, `bench/streaming-kafka.mjs`, `bench/streaming-mqtt.mjs` (the transports' authors, run as they are from a copy beside the library snapshot; the MQTT one is end to end): drain a pre-filled stream from the beginning, raw client vs `@OnDatasetMessage` (durable group, commits) vs a private callback subscription. `bench/streaming-produce.mjs`: `channel.produce` / `produceMany` vs the raw client with acknowledgements, each producer a forked process that first sends 10,000 untimed messages the same way (the JIT warm-up, as for the queue and MQTT producers), in an order reversed every other repetition, each run's stream deleted before the next; on RabbitMQ the raw producer sends the properties `channel.produce` sends (message id, timestamp, `mandatory`: together ~3% of the broker's rate, analysis §13a).",
      '- `bench/memory-scale.mjs`: the memory transport, payload 64 B – 64 KB, concurrency 1 – 64, 1 – 500 datasets, bootstrap with 500 handlers. `bench/auth-jwt.mjs`: JwtManager.',
      '- Every queue, stream and topic a run creates is named `bench-…` and deleted at the end (and leftovers of an interrupted run at the start of the next).',
    ].join('\n'),
  );
  md.push('');
  return md.join('\n');
}
