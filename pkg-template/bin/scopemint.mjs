#!/usr/bin/env node
// The scopemint CLI: key pairs, Tinybird JWTs, Vizzly identity tokens, and
// generic sign / verify / decode. Every token rule lives in the library; each
// command (commands/*.mjs) only turns flags into options, and this dispatcher
// turns errors into exit codes.
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TokenError } from '../dist/node.mjs';
import { EXIT, EXIT_CODES_HELP, Failure, UsageError } from './cli.mjs';
import decode from './commands/decode.mjs';
import keygen from './commands/keygen.mjs';
import sign from './commands/sign.mjs';
import tinybirdJwt from './commands/tinybird-jwt.mjs';
import verify from './commands/verify.mjs';
import vizzlyTokens from './commands/vizzly-tokens.mjs';

// In the order `--help` lists them.
const COMMANDS = {
  keygen,
  'tinybird-jwt': tinybirdJwt,
  'vizzly-tokens': vizzlyTokens,
  sign,
  verify,
  decode,
};

const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

function mainUsage() {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const list = Object.entries(COMMANDS)
    .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
    .join('\n');
  return `Usage: scopemint <command> [options]

Commands:
${list}

Options:
  --json          machine-readable output (every command)
  -h, --help      help for the CLI, or for a command: scopemint <command> --help
  --version       print the version

Admin tokens and keys are read from files or environment variables, never from flags.

${EXIT_CODES_HELP}`;
}

function commandUsage(name) {
  const command = COMMANDS[name];
  const common = '\n  --json               machine-readable output\n  -h, --help           this help';
  // The common flags close the Options list, before any example.
  const [options, example] = command.details.split('\n\nExample:');
  return `Usage: ${command.usage}

${command.summary[0].toUpperCase()}${command.summary.slice(1)}.
${options.includes('Options:') ? options : `${options}\n\nOptions:`}${common}${example ? `\n\nExample:${example}` : ''}

${EXIT_CODES_HELP}`;
}

function shortUsage(name) {
  return `Usage: ${COMMANDS[name].usage}\nRun "scopemint ${name} --help" for details.`;
}

function version() {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

function fail(exitCode, code, message, json, extra) {
  process.stderr.write(`scopemint: ${code}: ${message}\n`);
  const error = { code, message, ...extra };
  // verify --json: a rejected token is an answer too ({ valid: false, error }).
  const body = exitCode === EXIT.REJECTED ? { valid: false, error } : { error };
  if (json) process.stdout.write(`${JSON.stringify(body)}\n`);
  process.exitCode = exitCode;
}

export function main(argv) {
  const wantsJson = argv.includes('--json');
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !Object.hasOwn(COMMANDS, topic)) {
      process.stderr.write(`scopemint: unknown command "${topic}"\n\n${mainUsage()}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    // No command at all is a usage error; asking for help is not.
    const stream = name === undefined ? process.stderr : process.stdout;
    stream.write(`${topic ? commandUsage(topic) : mainUsage()}\n`);
    process.exitCode = name === undefined ? EXIT.USAGE : EXIT.OK;
    return;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(wantsJson ? `${JSON.stringify({ version: version() })}\n` : `${version()}\n`);
    return;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    process.stderr.write(`scopemint: unknown command "${name}"\n\n${mainUsage()}\n`);
    if (wantsJson) process.stdout.write(`${JSON.stringify({ error: { code: 'ERR_USAGE', message: `unknown command "${name}"` } })}\n`);
    process.exitCode = EXIT.USAGE;
    return;
  }
  const command = COMMANDS[name];
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    process.stderr.write(`scopemint ${name}: ${error.message}\n\n${shortUsage(name)}\n`);
    if (wantsJson) process.stdout.write(`${JSON.stringify({ error: { code: 'ERR_USAGE', message: error.message } })}\n`);
    process.exitCode = EXIT.USAGE;
    return;
  }
  if (parsed.values.help) {
    process.stdout.write(`${commandUsage(name)}\n`);
    return;
  }
  const json = parsed.values.json;
  try {
    const expected = command.positionals ?? [];
    if (parsed.positionals.length < expected.length) throw new UsageError(`missing ${expected[parsed.positionals.length]}`);
    if (parsed.positionals.length > expected.length) {
      throw new UsageError(`unexpected argument "${parsed.positionals[expected.length]}"`);
    }
    command.run(parsed);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`scopemint ${name}: ${error.message}\n\n${shortUsage(name)}\n`);
      if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'ERR_USAGE', message: error.message } })}\n`);
      process.exitCode = EXIT.USAGE;
    } else if (error instanceof TokenError) {
      const extra = error.claim !== undefined ? { claim: error.claim } : {};
      fail(error.rejected ? EXIT.REJECTED : EXIT.FAILURE, error.code, error.message, json, extra);
    } else if (error instanceof Failure) {
      fail(EXIT.FAILURE, error.code, error.message, json);
    } else {
      fail(EXIT.FAILURE, 'ERR_INTERNAL', error?.stack ?? String(error), json);
    }
  }
}

// Runs only as a program (also through npm's bin symlink): importing this module runs nothing.
function realpath(path) {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
if (process.argv[1] && realpath(process.argv[1]) === realpath(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2));
}
