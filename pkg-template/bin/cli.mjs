// What the commands share: their error types and exit codes, reading files and stdin,
// turning flag text into values, and writing results.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decode, TokenError } from '../dist/node.mjs';

export const EXIT = { OK: 0, REJECTED: 1, USAGE: 2, FAILURE: 3 };

/** A mistake in the command line: exit 2. */
export class UsageError extends Error {}

/** Any other failure outside the library (a file, stdin): exit 3. */
export class Failure extends Error {
  constructor(message, code = 'ERR_CLI') {
    super(message);
    this.code = code;
  }
}

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the token was rejected (verify failed, or decode could not read it)
  2  usage error: unknown command or flag, missing or malformed argument
  3  any other failure: unreadable file, file exists, option refused by the library`;

export const DURATION_HELP = 'Durations: 30s, 15m, 1h, 7d; a bare number is seconds.';

// Only the server build can check a SQL filter (the main entry refuses one);
// it is loaded when a command needs it, so other commands keep the small wasm.
let serverEntry;
export function server() {
  serverEntry ??= createRequire(import.meta.url)('../dist/server-node.cjs');
  return serverEntry;
}

export function readText(file, what) {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Failure(`cannot read ${what} "${file}": ${error.message}`, error.code ?? 'ERR_CLI');
  }
}

// Secrets in files usually end with a newline that is not part of the secret.
export function readSecret(file) {
  return readText(file, 'secret file').replace(/\r?\n$/, '');
}

/** The TOKEN argument, or stdin for `-`. */
export function readToken(argument) {
  if (argument === '-') {
    let text;
    try {
      text = readFileSync(0, 'utf8');
    } catch (error) {
      throw new Failure(`cannot read the token from stdin: ${error.message}`);
    }
    return text.trim();
  }
  return argument;
}

const UNITS = { s: 1, m: 60, h: 3600, d: 86400 };

/** '30s', '15m', '1h', '7d' or bare seconds -> seconds. */
export function parseDuration(text, flag = '--ttl') {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(String(text).trim());
  const seconds = match ? Number(match[1]) * UNITS[match[2] || 's'] : NaN;
  if (!(seconds > 0)) throw new UsageError(`${flag}: "${text}" is not a duration (e.g. 30s, 15m, 1h, 7d)`);
  return seconds;
}

/** CLI text -> JSON value: numbers, true/false, "quoted" strings, else the text. */
export function typedValue(text) {
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text)) {
    const number = Number(text);
    // A pinned id must not silently become another number (or Infinity): 12345678901234567890
    // would be signed as 12345678901234567000.
    if (!Number.isFinite(number) || (!text.includes('.') && !Number.isSafeInteger(number))) {
      throw new UsageError(`"${text}" is not exactly representable as a JSON number; quote it ("${text}") to pass a string`);
    }
    return number;
  }
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1);
  return text;
}

/** The result: compact JSON with --json, else `text` (pretty JSON when there is none). */
export function writeOut(value, json, text) {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text ?? JSON.stringify(value, null, 2)}\n`);
}

// A verify/decode failure about the token itself: exit 1.
export function rejected(error, token, profile) {
  if (!(error instanceof TokenError)) return error;
  let hint = '';
  if (error.code === 'ERR_JWT_CLAIM_INVALID' && error.claim === 'exp' && profile === undefined) {
    try {
      if (decode(token).profile?.startsWith('vizzly-')) hint = ' (a Vizzly token: add --profile vizzly)';
    } catch {
      // no hint then
    }
  }
  error.rejected = true;
  error.message += hint;
  return error;
}
