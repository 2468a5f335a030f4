// The benchmark chart: ratio of scopemint's ops/s to the peer's, per runtime, algorithm and
// operation, drawn from the JSON `node bench/run.mjs --json FILE` writes. Plain SVG text, no
// dependency. Node compares with fast-jwt (issue 15's Node targets), every other runtime with
// jose; bars grow from 1.0 on a log scale, and a tick marks each row's target.
//
//   node bench/chart.mjs bench-result.json docs/bench.svg
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Issue 15's targets: Node HS256 2.5x sign / 2.0x verify against fast-jwt, the other Node
// rows 1.05x; outside Node 1.0x against jose.
export function targetOf(runtime, alg, op) {
  if (runtime !== 'node') return 1;
  if (alg === 'HS256') return op === 'sign' ? 2.5 : 2;
  return 1.05;
}

/** Bars from the run's JSON: [{ group, label, ratio, target, async }]. */
export function barsOf(result) {
  const bars = [];
  const payload = result.throughput.find((r) => r.payload)?.payload; // the first payload: tinybird
  for (const row of result.throughput) {
    if (row.payload !== payload || (row.op !== 'sign' && row.op !== 'verify')) continue;
    const { scopemint } = row.opsPerSec;
    const peer = row.opsPerSec['fast-jwt'];
    if (scopemint > 0 && peer > 0) bars.push({ group: 'Node vs fast-jwt', label: `${row.alg} ${row.op}`, ratio: scopemint / peer, target: targetOf('node', row.alg, row.op), async: false });
  }
  for (const [runtime, outcome] of Object.entries(result.runtimes ?? {})) {
    if (outcome.error) continue;
    const group = `${runtime[0].toUpperCase()}${runtime.slice(1)} vs jose`;
    for (const row of outcome.rows) {
      const target = targetOf(runtime, row.alg, row.op);
      if (row.ratio > 0) bars.push({ group, label: `${row.alg} ${row.op}`, ratio: row.ratio, target, async: false });
      if (row.asyncRatio > 0) bars.push({ group, label: `${row.alg} ${row.op} async`, ratio: row.asyncRatio, target, async: true });
    }
  }
  return bars;
}

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const TICKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];

export function chartSvg(result) {
  const bars = barsOf(result);
  if (!bars.length) throw new Error('no ratios in this result');
  const ratios = bars.flatMap((b) => [b.ratio, b.target]);
  // Domain: the ticks around every ratio, and at least 0.5x to 3x; room on the left for the
  // value written beside the smallest bar.
  const lo = TICKS.filter((t) => t <= Math.min(0.5, ...ratios) / 1.6).pop() ?? TICKS[0];
  const hi = TICKS.find((t) => t >= Math.max(3, ...ratios)) ?? TICKS.at(-1);
  const labelWidth = 150;
  const plotWidth = 560;
  const rowHeight = 16;
  const groupGap = 26;
  const left = labelWidth + 10;
  const x = (ratio) => left + ((Math.log(Math.min(Math.max(ratio, lo), hi)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * plotWidth;
  const parts = [];
  let y = 72;
  let group = null;
  for (const bar of bars) {
    if (bar.group !== group) {
      group = bar.group;
      y += groupGap;
      parts.push(`<text x="8" y="${y - 8}" class="group">${escape(group)}</text>`);
    }
    const [from, to] = [x(Math.min(1, bar.ratio)), x(Math.max(1, bar.ratio))];
    const met = bar.ratio >= bar.target;
    parts.push(`<text x="${labelWidth}" y="${y + 11}" class="label" text-anchor="end">${escape(bar.label)}</text>`);
    parts.push(`<rect x="${from.toFixed(1)}" y="${y + 2}" width="${Math.max(1, to - from).toFixed(1)}" height="${rowHeight - 4}" class="${met ? 'met' : 'below'}${bar.async ? ' async' : ''}"/>`);
    if (bar.target !== 1) parts.push(`<line x1="${x(bar.target).toFixed(1)}" x2="${x(bar.target).toFixed(1)}" y1="${y}" y2="${y + rowHeight}" class="target"/>`);
    const valueX = bar.ratio >= 1 ? to + 4 : from - 4;
    parts.push(`<text x="${valueX.toFixed(1)}" y="${y + 11}" class="value" text-anchor="${bar.ratio >= 1 ? 'start' : 'end'}">${bar.ratio.toFixed(2)}×</text>`);
    y += rowHeight;
  }
  const bottom = y + 8;
  const axis = TICKS.filter((t) => t >= lo && t <= hi).map((t) =>
    `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="78" y2="${bottom}" class="${t === 1 ? 'one' : 'grid'}"/>` +
    `<text x="${x(t).toFixed(1)}" y="${bottom + 14}" class="tick" text-anchor="middle">${t}×</text>`).join('\n');
  const { meta } = result;
  const width = left + plotWidth + 60;
  const height = bottom + 50;
  const note = `${meta.mode} run ${meta.date.slice(0, 10)}, commit ${meta.commit ?? '?'}${meta.uncommittedSrc ? '+' : ''}, node ${meta.node}, ${meta.cpus}, load ${meta.loadavgStart?.[0]} → ${meta.loadavgEnd?.[0]}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<style>
  .title { font-size: 15px; font-weight: 600; fill: #1f2328; }
  .sub, .tick, .value, .legend { font-size: 11px; fill: #57606a; }
  .label { font-size: 11px; fill: #1f2328; }
  .group { font-size: 12px; font-weight: 600; fill: #1f2328; }
  .grid { stroke: #d8dee4; stroke-width: 1; }
  .one { stroke: #1f2328; stroke-width: 1.5; }
  .target { stroke: #8250df; stroke-width: 2; }
  .met { fill: #2da44e; } .below { fill: #cf222e; } .async { fill-opacity: 0.55; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="8" y="20" class="title">scopemint ops/s ÷ peer ops/s (tinybird payload, sign and verify; right of 1.0× = faster)</text>
<text x="8" y="38" class="sub">${escape(note)}</text>
<text x="8" y="54" class="legend">green: at or above target, red: below; pale bars: signAsync / verifyAsync (WebCrypto); target 1.0× against jose;</text>
<text x="8" y="68" class="legend">purple tick: Node's targets against fast-jwt (HS256 2.5× sign, 2.0× verify, other algorithms 1.05×)</text>
${axis}
${parts.join('\n')}
</svg>
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node bench/chart.mjs RESULT.json OUT.svg');
    process.exit(2);
  }
  writeFileSync(output, chartSvg(JSON.parse(readFileSync(input, 'utf8'))));
  console.error(`wrote ${output}`);
}
