// The README's benchmark tables (Markdown) from a run's JSON, so the README can be refreshed
// from `make bench` without copying numbers by hand:
//
//   node bench/readme-table.mjs test-output/bench.json
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { targetOf } from './chart.mjs';

const ops = (v) => (v == null ? 'n/a' : Math.round(v).toLocaleString('en-US'));
const times = (v) => (v == null ? 'n/a' : `${v.toFixed(2)}×`);

export function readmeTables(result) {
  const { meta } = result;
  const payload = result.throughput[0].payload;
  const lines = [
    `Node (${meta.node}), ${payload} payload, ops/s; ratio = scopemint / fast-jwt (issue 15's targets in the last column):`,
    '',
    '| op | scopemint | fast-jwt | jose | jsonwebtoken | ratio | target |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of result.throughput.filter((r) => r.payload === payload)) {
    const o = row.opsPerSec;
    const cached = row.op !== 'sign' && row.op !== 'verify';
    lines.push(`| ${row.alg} ${row.op} | ${ops(o.scopemint)}${row.notCached?.includes('scopemint') ? '*' : ''} | ${ops(o['fast-jwt'])} | ${ops(o.jose)} | ${ops(o.jsonwebtoken)} | ` +
      `${times(o.scopemint / o['fast-jwt'])} | ${cached ? '' : `${targetOf('node', row.alg, row.op)}×`} |`);
  }
  const runtimes = Object.entries(result.runtimes ?? {});
  if (runtimes.length) {
    const hasAsync = runtimes.some(([, r]) => r.rows?.some((row) => row.asyncRatio != null));
    lines.push('', `Other runtimes, ${payload} payload: scopemint ops/s ÷ jose ops/s` +
      `${hasAsync ? ' (in brackets: `signAsync` / `verifyAsync` ÷ jose)' : ''}; target 1.0×:`, '');
    lines.push(`| op | ${runtimes.map(([name, r]) => `${name} (${r.entry ?? 'failed'})`).join(' | ')} |`);
    lines.push(`|---|${runtimes.map(() => '---:').join('|')}|`);
    const keys = runtimes.find(([, r]) => r.rows)?.[1].rows.map((r) => `${r.alg} ${r.op}`) ?? [];
    for (const key of keys) {
      const cells = runtimes.map(([, r]) => {
        const row = r.rows?.find((x) => `${x.alg} ${x.op}` === key);
        if (!row) return 'n/a';
        return `${times(row.ratio)}${row.asyncRatio != null ? ` (${times(row.asyncRatio)})` : ''}`;
      });
      lines.push(`| ${key} | ${cells.join(' | ')} |`);
    }
    lines.push('', `Versions: ${runtimes.map(([name, r]) => `${name}: ${r.version}`).join('; ')}.`);
  }
  const cold = result.coldStartMs;
  if (cold) lines.push('', `Cold start (import, HS256 signer, one sign; median of ${meta.settings.coldStartRuns} processes): ` +
    Object.entries(cold).map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`).join(', ') + '.');
  if (result.firstTokenMs) lines.push('', 'First token (import() of the entry to the first HS256 token): ' +
    Object.entries(result.firstTokenMs).map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`).join(', ') + '.');
  const wasms = (result.sizes ?? []).filter((s) => s.file.endsWith('.wasm'));
  if (wasms.length) lines.push('', `Wasm sizes (bytes raw / gzip -9): ${wasms.map((w) => `\`${w.file}\` ${w.raw.toLocaleString('en-US')} / ${w.gzip.toLocaleString('en-US')}`).join(', ')}.`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [input] = process.argv.slice(2);
  if (!input) {
    console.error('usage: node bench/readme-table.mjs RESULT.json');
    process.exit(2);
  }
  console.log(readmeTables(JSON.parse(readFileSync(input, 'utf8'))));
}
