// Runs the conformance checks in every runtime and prints one line per runtime and check,
// then `N passed, M failed`. Exits 1 if any check failed or any runtime could not start:
// a runtime that cannot run is a failure, never a skip.
//
//   node tests/runtimes/run-all.mjs            # all runtimes
//   node tests/runtimes/run-all.mjs deno bun   # only these
//   KEEP_FIXTURE=1 ...                         # keep the temp project for debugging
import { rmSync } from 'node:fs';
import { checkNames } from './conformance.mjs';
import { bin, makeFixture, resolveExport, runChild } from './lib.mjs';
import { runners } from './runners.mjs';

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !runners.some((r) => r.name === name));
if (unknown.length) {
  console.error(`unknown runtime(s): ${unknown.join(', ')}; known: ${runners.map((r) => r.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? runners.filter((r) => wanted.includes(r.name)) : runners;

const VERSION_COMMANDS = {
  'node-cjs': null,
  'node-esm': null,
  deno: [bin('deno'), ['--version']],
  bun: [bin('bun'), ['--version']],
  workerd: [bin('workerd'), ['--version']],
  chromium: ['/usr/bin/chromium', ['--version']],
};

async function version(name) {
  const command = VERSION_COMMANDS[name];
  if (command === null) return `node ${process.version}`;
  const result = await runChild(command[0], command[1], { timeoutMs: 15_000 });
  return result.code === 0 ? result.stdout.trim().split('\n')[0] : 'version unknown';
}

let passed = 0;
let failed = 0;
const width = Math.max(...runners.map((r) => r.name.length));
const line = (ok, runtime, name, detail) => {
  if (ok) passed += 1;
  else failed += 1;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${runtime.padEnd(width)}  ${name}${detail ? ` — ${detail}` : ''}`);
};

let fixture;
try {
  fixture = makeFixture();
} catch (error) {
  console.log(`FAIL  setup  ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

try {
  for (const runner of selected) {
    console.log(`# ${runner.name} (${await version(runner.name)})`);
    const expected = resolveExport(fixture.manifest, runner.conditions);
    let outcome;
    try {
      outcome = await runner.run(fixture);
    } catch (error) {
      line(false, runner.name, '[start] runtime could not run the checks', error.message);
      continue;
    }
    // Which file the runtime loaded, against what its conditions should pick from the exports map.
    line(outcome.entry === expected, runner.name, '[entry] package entry',
      `loaded ${outcome.entry}${outcome.entry === expected ? '' : `, expected ${expected}`} (conditions: ${runner.conditions.join(', ')})`);
    const results = Array.isArray(outcome.results) ? outcome.results : [];
    for (const { name, ok, detail } of results) line(ok === true, runner.name, name, detail);
    for (const name of checkNames.filter((n) => !results.some((r) => r.name === n))) {
      line(false, runner.name, name, 'no result reported');
    }
    for (const note of (outcome.stderr ?? '').split('\n').filter(Boolean).slice(0, 10)) console.log(`      ${runner.name} note: ${note}`);
  }
} finally {
  if (process.env.KEEP_FIXTURE) console.log(`fixture kept at ${fixture.dir}`);
  else rmSync(fixture.dir, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
