#!/usr/bin/env node
// The scopemint CLI: key pairs, Tinybird JWTs, Vizzly identity tokens, and
// generic sign / verify / decode. Every token rule lives in the library; this
// file only turns flags into options and errors into exit codes.
import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { createSigner, createVerifier, decode, generateKeyPair, TokenError } from '../dist/node.mjs';

// Only the server build can check a SQL filter (the main entry refuses one);
// it is loaded when a command needs it, so other commands keep the small wasm.
let serverEntry;
function server() {
  serverEntry ??= createRequire(import.meta.url)('../dist/server-node.cjs');
  return serverEntry;
}

const EXIT = { OK: 0, REJECTED: 1, USAGE: 2, FAILURE: 3 };

class UsageError extends Error {}
class Failure extends Error {
  constructor(message, code = 'ERR_CLI') {
    super(message);
    this.code = code;
  }
}

const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the token was rejected (verify failed, or decode could not read it)
  2  usage error: unknown command or flag, missing or malformed argument
  3  any other failure: unreadable file, file exists, option refused by the library`;

const DURATION_HELP = 'Durations: 30s, 15m, 1h, 7d; a bare number is seconds.';

const COMMANDS = {
  keygen: {
    summary: 'write a key pair as PEM files',
    usage: 'scopemint keygen [--alg ES256|ES384|EdDSA] [--out-dir DIR] [--prefix NAME] [--force] [--json]',
    details: `Writes <prefix>-private.pem (PKCS#8, mode 0600) and <prefix>-public.pem (SPKI).
Refuses to overwrite existing files unless --force. Never writes through a symlink:
with --force a file (or symlink) is replaced, not written into.

Options:
  --alg ALG        ES256 (default), ES384 or EdDSA. Vizzly needs ES256.
  --out-dir DIR    where to write the files (default: .; created with mode 0700 if missing)
  --prefix NAME    file name prefix (default: scopemint)
  --force          replace existing files`,
    options: {
      alg: { type: 'string', default: 'ES256' },
      'out-dir': { type: 'string', default: '.' },
      prefix: { type: 'string', default: 'scopemint' },
      force: { type: 'boolean', default: false },
    },
    run: keygen,
  },
  'tinybird-jwt': {
    summary: 'mint a Tinybird JWT with scopes, fixed params and rate limit',
    usage: 'scopemint tinybird-jwt NAME --ttl DURATION --scope TYPE --resource NAME [--fixed-params k=v,...] [--filter SQL] [--scope ... --resource ...] [--rps N] [--workspace-id ID] [--secret-file FILE] [--json]',
    details: `Signs locally with HS256 and the workspace admin token (no call to Tinybird).

Options:
  --ttl DURATION          lifetime of the token (required). ${DURATION_HELP}
  --scope TYPE            PIPES:READ, DATASOURCES:READ or DATASOURCES:APPEND; each --scope starts a new scope
  --resource NAME         the pipe or data source of the current scope
  --fixed-params k=v,...  PIPES:READ only; repeatable. Numbers become numbers, true/false booleans,
                          anything else (or a "quoted" value) a string
  --filter SQL            DATASOURCES:READ only: a SQL condition
  --rps N                 limits.rps, a positive integer
  --workspace-id ID       default: $TINYBIRD_WORKSPACE_ID
  --secret-file FILE      file holding the admin token; default: $TINYBIRD_ADMIN_TOKEN

Example:
  scopemint tinybird-jwt user_123_session --ttl 1h \\
    --scope PIPES:READ --resource user_dashboard --fixed-params user_id=123 \\
    --scope DATASOURCES:READ --resource events --filter "org_id = 'acme'" --rps 10`,
    options: {
      ttl: { type: 'string' },
      scope: { type: 'string', multiple: true },
      resource: { type: 'string', multiple: true },
      'fixed-params': { type: 'string', multiple: true },
      filter: { type: 'string', multiple: true },
      rps: { type: 'string' },
      'workspace-id': { type: 'string' },
      'secret-file': { type: 'string' },
    },
    positionals: ['NAME'],
    run: tinybirdJwt,
  },
  'vizzly-tokens': {
    summary: 'print a Vizzly identity response (dashboard, data, query-engine tokens)',
    usage: 'scopemint vizzly-tokens --private-key FILE --ttl DURATION (--project ID | --organisation ID) --user REF [--access-type standard|admin] [--scope read|read_write] [--data-sets a,b|*] [--secure-filter SPEC ...] [--or-secure-filter SPEC ...] [--query-engine] [--json]',
    details: `Prints {"dashboardAccessToken", "dataAccessToken"?, "queryEngineAccessToken"?}, the body an
identity endpoint returns. Tokens are ES256 and carry an ISO-8601 "expires" claim.

Options:
  --private-key FILE       P-256 private key (PEM)
  --ttl DURATION           lifetime of the tokens (required). ${DURATION_HELP}
  --project ID             Vizzly project id (or --organisation ID, the older name; exactly one)
  --user REF               user reference Vizzly may store
  --access-type TYPE       standard (Vizzly's default) or admin
  --scope SCOPE            read or read_write (Vizzly's default)
  --data-sets LIST         comma-separated data set ids, or '*' for all; adds a data access token
  --secure-filter SPEC     repeatable, needs --data-sets: 'dataSet:field=value'; operators
                           = != > < >= <=, or any Vizzly operator in brackets:
                           'dataSet:field[is_one_of]a,b', 'dataSet:name[starts_with]Jo'.
                           Values are typed like --fixed-params of tinybird-jwt.
                           Filters of one data set are ANDed: all must match
  --or-secure-filter SPEC  starts another group for its data set: rows match if every
                           filter of ANY group matches (Vizzly's OR of AND-groups)
  --query-engine           adds a query-engine (Config Manager) token with schema and preview access`,
    options: {
      'private-key': { type: 'string' },
      ttl: { type: 'string' },
      project: { type: 'string' },
      organisation: { type: 'string' },
      user: { type: 'string' },
      'access-type': { type: 'string' },
      scope: { type: 'string' },
      'data-sets': { type: 'string' },
      'secure-filter': { type: 'string', multiple: true },
      'or-secure-filter': { type: 'string', multiple: true },
      'query-engine': { type: 'boolean', default: false },
    },
    run: vizzlyTokens,
  },
  sign: {
    summary: 'sign a JWT with a private key or an HMAC secret',
    usage: 'scopemint sign (--private-key FILE | --secret-file FILE) --ttl DURATION [--alg ALG] [--claims JSON] [--kid ID] [--json]',
    details: `Adds iat, and exp from --ttl (--ttl may be left out only when --claims has exp).

Options:
  --private-key FILE   PEM private key (PKCS#8, SEC1, PKCS#1)
  --secret-file FILE   HMAC secret (file contents; a trailing newline is dropped)
  --alg ALG            default: from the key (HS256 for secrets)
  --ttl DURATION       ${DURATION_HELP}
  --claims JSON        claims object, e.g. '{"sub":"user_123"}'
  --kid ID             header kid`,
    options: {
      'private-key': { type: 'string' },
      'secret-file': { type: 'string' },
      alg: { type: 'string' },
      ttl: { type: 'string' },
      claims: { type: 'string' },
      kid: { type: 'string' },
    },
    run: sign,
  },
  verify: {
    summary: 'verify a token; exit 1 when it is rejected',
    usage: 'scopemint verify TOKEN|- (--public-key FILE | --secret-file FILE | --jwks FILE) [--issuer ISS] [--audience AUD] [--alg ALG ...] [--profile vizzly] [--json]',
    details: `TOKEN may be - to read it from stdin. On rejection prints the error code and message
to stderr and exits 1.

Options:
  --public-key FILE    PEM public key (SPKI, PKCS#1, X.509 certificate)
  --secret-file FILE   HMAC secret (file contents; a trailing newline is dropped)
  --jwks FILE          JSON key set {"keys": [...]}
  --issuer ISS         required iss
  --audience AUD       required aud
  --alg ALG            allowed algorithm (repeatable); default: the key's
  --profile vizzly     expiry is Vizzly's ISO "expires" claim instead of exp`,
    options: {
      'public-key': { type: 'string' },
      'secret-file': { type: 'string' },
      jwks: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      alg: { type: 'string', multiple: true },
      profile: { type: 'string' },
    },
    positionals: ['TOKEN'],
    run: verify,
  },
  decode: {
    summary: 'show a token WITHOUT verifying it: header, claims, profile, scopes, expiry',
    usage: 'scopemint decode TOKEN|- [--json]',
    details: `For reading only, never for access decisions: the signature is not checked.
TOKEN may be - to read it from stdin. Expired tokens are marked EXPIRED (exit 0).`,
    options: {},
    positionals: ['TOKEN'],
    run: decodeCommand,
  },
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

// ---- helpers ----------------------------------------------------------------

function readText(file, what) {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Failure(`cannot read ${what} "${file}": ${error.message}`, error.code ?? 'ERR_CLI');
  }
}

// Secrets in files usually end with a newline that is not part of the secret.
function readSecret(file) {
  return readText(file, 'secret file').replace(/\r?\n$/, '');
}

function readToken(argument) {
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

function parseKeyValues(text, flag) {
  const result = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag}: "${pair}" is not key=value`);
    result[pair.slice(0, at).trim()] = typedValue(pair.slice(at + 1).trim());
  }
  return result;
}

const SYMBOL_OPS = ['!=', '>=', '<=', '=', '>', '<'];

/** 'dataSet:field=value' or 'dataSet:field[op]value' -> [dataSet, {field, op, value}]. */
export function parseSecureFilter(spec) {
  const colon = spec.indexOf(':');
  if (colon <= 0) throw new UsageError(`--secure-filter: "${spec}" is not dataSet:field=value`);
  const dataSet = spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  const named = /^([^[\]]+)\[([a-z_]+)\](.*)$/.exec(rest);
  if (named) {
    const [, field, op, raw] = named;
    const value = op.endsWith('_one_of') ? raw.split(',').map((v) => typedValue(v.trim())) : typedValue(raw);
    return [dataSet, { field: field.trim(), op, value }];
  }
  // The first operator character splits field from value; two-character operators first.
  const at = rest.search(/[!<>=]/);
  if (at <= 0) throw new UsageError(`--secure-filter: "${spec}" has no operator (=, !=, >, <, >=, <= or [op])`);
  const op = SYMBOL_OPS.find((candidate) => rest.startsWith(candidate, at));
  if (op === undefined) throw new UsageError(`--secure-filter: "${spec}" has no operator`);
  return [dataSet, { field: rest.slice(0, at).trim(), op, value: typedValue(rest.slice(at + op.length).trim()) }];
}

function writeOut(value, json, text) {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text ?? JSON.stringify(value, null, 2)}\n`);
}

function words(seconds) {
  const parts = [];
  let left = Math.floor(Math.abs(seconds));
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]]) {
    const count = Math.floor(left / size);
    left -= count * size;
    if (count > 0) parts.push(`${count} ${unit}${count === 1 ? '' : 's'}`);
    if (parts.length === 2) break;
  }
  return parts.length ? parts.join(' ') : '0 seconds';
}

// ---- commands ---------------------------------------------------------------

// Creates `file` with `mode`, never following a symlink: O_CREAT|O_EXCL
// fails on any existing name, a dangling symlink included. To replace, the
// content goes to a fresh temporary name in the same directory, which is
// then renamed over `file` (rename replaces a symlink, it does not follow it).
function writeNewFile(file, content, mode, replace) {
  const target = replace ? `${file}.${randomBytes(6).toString('hex')}.tmp` : file;
  const fd = openSync(target, 'wx', mode);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  if (replace) {
    try {
      renameSync(target, file);
    } catch (error) {
      rmSync(target, { force: true });
      throw error;
    }
  }
}

function keygen({ values }) {
  const algorithm = values.alg;
  const dir = resolve(values['out-dir']);
  const privateFile = join(dir, `${values.prefix}-private.pem`);
  const publicFile = join(dir, `${values.prefix}-public.pem`);
  // Check both first so a refusal never leaves half a key pair behind; lstat sees symlinks themselves.
  if (!values.force) {
    for (const file of [privateFile, publicFile]) {
      if (lstatSync(file, { throwIfNoEntry: false }) !== undefined) {
        throw new Failure(`${file} exists; use --force to replace it`, 'EEXIST');
      }
    }
  }
  const pair = generateKeyPair(algorithm);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeNewFile(privateFile, pair.privateKey, 0o600, values.force);
    writeNewFile(publicFile, pair.publicKey, 0o644, values.force);
  } catch (error) {
    throw new Failure(`cannot write the key pair: ${error.message}`, error.code ?? 'ERR_CLI');
  }
  writeOut(
    { algorithm, privateKeyFile: privateFile, publicKeyFile: publicFile, publicJwk: pair.publicJwk },
    values.json,
    `wrote ${privateFile} (private, mode 0600)\nwrote ${publicFile} (public)`,
  );
}

function tinybirdJwt({ values, positionals, tokens }) {
  const [name] = positionals;
  if (values.ttl === undefined) throw new UsageError('--ttl is required');
  const ttl = parseDuration(values.ttl);
  // Scope flags group by position: each --scope opens a scope, the others fill the latest.
  const scopes = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'scope') {
      scopes.push({ type: token.value });
      continue;
    }
    if (!['resource', 'fixed-params', 'filter'].includes(token.name)) continue;
    const current = scopes.at(-1);
    if (current === undefined) throw new UsageError(`--${token.name} must follow a --scope`);
    if (token.name === 'resource') {
      if (current.resource !== undefined) throw new UsageError('one --resource per --scope');
      current.resource = token.value;
    } else if (token.name === 'filter') {
      if (current.filter !== undefined) throw new UsageError('one --filter per --scope');
      current.filter = token.value;
    } else {
      current.fixed_params = { ...current.fixed_params, ...parseKeyValues(token.value, '--fixed-params') };
    }
  }
  if (scopes.length === 0) throw new UsageError('at least one --scope (with --resource) is required');
  for (const scope of scopes) {
    if (scope.resource === undefined) throw new UsageError(`--scope ${scope.type} needs a --resource`);
  }
  const secret = values['secret-file'] !== undefined ? readSecret(values['secret-file']) : process.env.TINYBIRD_ADMIN_TOKEN;
  if (!secret) throw new UsageError('the admin token is required: set TINYBIRD_ADMIN_TOKEN or give --secret-file');
  const workspaceId = values['workspace-id'] ?? process.env.TINYBIRD_WORKSPACE_ID;
  if (!workspaceId) throw new UsageError('the workspace id is required: give --workspace-id or set TINYBIRD_WORKSPACE_ID');
  const params = { name, expiresAt: Math.floor(Date.now() / 1000 + ttl), scopes };
  if (values.rps !== undefined) {
    // Numeric text goes as a number; anything else goes as given for the library to refuse.
    params.limits = { rps: /^\d+(\.\d+)?$/.test(values.rps) ? Number(values.rps) : values.rps };
  }
  const signerFor = scopes.some((scope) => scope.filter !== undefined) ? server().createSigner : createSigner;
  const { token } = signerFor({ secret, workspaceId }).createJWT(params);
  writeOut({ token }, values.json, token);
}

function vizzlyTokens({ values, tokens }) {
  for (const flag of ['private-key', 'ttl', 'user']) {
    if (values[flag] === undefined) throw new UsageError(`--${flag} is required`);
  }
  if ((values.project === undefined) === (values.organisation === undefined)) {
    throw new UsageError('give exactly one of --project and --organisation');
  }
  const ttlSeconds = parseDuration(values.ttl);
  // Vizzly's flat identity config; accessType and scope default in the library as Vizzly's do.
  const identity = {
    userReference: values.user,
    ...(values['access-type'] !== undefined ? { accessType: values['access-type'] } : {}),
    ...(values.scope !== undefined ? { scope: values.scope } : {}),
    ...(values.project !== undefined ? { projectId: values.project } : { organisationId: values.organisation }),
  };
  const filterFlags = tokens.filter((t) => t.kind === 'option' && (t.name === 'secure-filter' || t.name === 'or-secure-filter'));
  if (filterFlags.length > 0 && values['data-sets'] === undefined) {
    throw new UsageError('--secure-filter needs --data-sets');
  }
  if (values['data-sets'] !== undefined) {
    const list = values['data-sets'].trim();
    identity.dataSetIds = list === '*' ? '*' : list.split(',').map((id) => id.trim()).filter(Boolean);
    // Always the nested form (OR of AND-groups), so the token says exactly what the flags said.
    const secureFilters = {};
    for (const flag of filterFlags) {
      const [dataSet, filter] = parseSecureFilter(flag.value);
      const groups = (secureFilters[dataSet] ??= []);
      if (flag.name === 'or-secure-filter' || groups.length === 0) groups.push([]);
      groups[groups.length - 1].push(filter);
    }
    identity.secureFilters = secureFilters;
  }
  if (values['query-engine']) {
    identity.allowDatabaseSchemaAccess = true;
    identity.allowDataPreviewAccess = true;
  }
  const privateKey = readText(values['private-key'], 'private key file');
  const result = createSigner({ privateKey, ttlSeconds }).generateTokens(identity);
  writeOut(result, values.json);
}

function sign({ values }) {
  const keyFlags = ['private-key', 'secret-file'].filter((flag) => values[flag] !== undefined);
  if (keyFlags.length !== 1) throw new UsageError('give exactly one of --private-key and --secret-file');
  let claims = {};
  if (values.claims !== undefined) {
    try {
      claims = JSON.parse(values.claims);
    } catch (error) {
      throw new UsageError(`--claims: not JSON (${error.message})`);
    }
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      throw new UsageError('--claims must be a JSON object');
    }
  }
  if (values.ttl === undefined && !('exp' in claims)) throw new UsageError('--ttl is required (or an exp in --claims)');
  // The library signs past expiries (tests need expired tokens); a person at a shell never means to.
  if (typeof claims.exp === 'number' && claims.exp <= Date.now() / 1000) {
    throw new UsageError(`--claims: exp ${claims.exp} is already past; the token would be born expired`);
  }
  const options = {};
  if (values['private-key'] !== undefined) options.privateKey = readText(values['private-key'], 'private key file');
  else options.secret = readSecret(values['secret-file']);
  if (values.alg !== undefined) options.algorithm = values.alg;
  if (values.kid !== undefined) options.keyId = values.kid;
  if (values.ttl !== undefined) options.ttlSeconds = parseDuration(values.ttl);
  const token = createSigner(options).sign(claims);
  writeOut({ token }, values.json, token);
}

function verify({ values, positionals }) {
  const token = readToken(positionals[0]);
  const keyFlags = ['public-key', 'secret-file', 'jwks'].filter((flag) => values[flag] !== undefined);
  if (keyFlags.length !== 1) throw new UsageError('give exactly one of --public-key, --secret-file and --jwks');
  const options = {};
  if (values['public-key'] !== undefined) options.publicKey = readText(values['public-key'], 'public key file');
  if (values['secret-file'] !== undefined) options.secret = readSecret(values['secret-file']);
  if (values.jwks !== undefined) {
    try {
      options.jwks = JSON.parse(readText(values.jwks, 'JWKS file'));
    } catch (error) {
      if (error instanceof Failure) throw error;
      throw new Failure(`JWKS file "${values.jwks}" is not JSON: ${error.message}`);
    }
  }
  if (values.issuer !== undefined) options.issuer = values.issuer;
  if (values.audience !== undefined) options.audience = values.audience;
  if (values.alg !== undefined) options.algorithms = values.alg;
  if (values.profile !== undefined) options.profile = values.profile;
  const verifier = createVerifier(options); // bad keys or options: exit 3
  let result;
  try {
    result = verifier.verify(token);
  } catch (error) {
    throw rejected(error, token, values.profile);
  }
  writeOut({ valid: true, ...result }, values.json, `valid\n${JSON.stringify(result.payload, null, 2)}`);
}

// A verify/decode failure about the token itself: exit 1.
function rejected(error, token, profile) {
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

function scopeLines(payload, profile, profileInfo) {
  const lines = [];
  if (profile === 'tinybird' && Array.isArray(payload.scopes)) {
    for (const scope of payload.scopes) {
      lines.push(`  ${scope.type} ${scope.resource ?? ''}`.trimEnd());
      if (scope.fixed_params) {
        const pairs = Object.entries(scope.fixed_params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
        lines.push(`    fixed params: ${pairs.join(', ')}`);
      }
      if (scope.filter !== undefined) lines.push(`    filter: ${scope.filter}`);
    }
    if (payload.limits?.rps !== undefined) lines.push(`  limits: ${payload.limits.rps} requests per second`);
  } else if (profile === 'vizzly-data') {
    const ids = payload.dataSetIds === '*' ? '* (all data sets)' : [].concat(payload.dataSetIds).join(', ');
    lines.push(`  data sets: ${ids}`);
    // The boolean reading comes from the library (Rust), the same words decode() returns.
    for (const [dataSet, reading] of Object.entries(profileInfo?.secureFilters ?? {})) {
      lines.push(`  secure filters on ${JSON.stringify(dataSet)}: ${reading}`);
    }
  } else if (profile === 'vizzly-dashboard') {
    lines.push(`  access: ${payload.accessType}, scope: ${payload.scope}`);
    const project = payload.projectId !== undefined ? `project ${payload.projectId}` : `organisation ${payload.organisationId}`;
    lines.push(`  ${project}, user ${payload.userReference}`);
  } else if (profile === 'vizzly-query-engine') {
    lines.push(`  database schema access: ${JSON.stringify(payload.allowDatabaseSchemaAccess ?? false)}`);
    lines.push(`  data preview access: ${JSON.stringify(payload.allowDataPreviewAccess ?? false)}`);
  } else if (profile === 'vizzly-project' && Array.isArray(payload.resources)) {
    lines.push(`  project ${payload.projectId}`);
    for (const resource of payload.resources) lines.push(`  resource ${resource?.id}: ${resource?.scope}`);
  } else if (profile === 'embeddable') {
    lines.push(`  embeddable ${payload.embeddableId}, user ${payload.user}`);
    lines.push(`  security context: ${JSON.stringify(payload.securityContext)}`);
  }
  return lines;
}

// A token may state an instant that no Date can hold (exp: 1e300); toISOString would throw.
function isoString(date) {
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function decodeCommand({ values, positionals }) {
  const token = readToken(positionals[0]);
  let decoded;
  try {
    decoded = decode(token);
  } catch (error) {
    throw rejected(error, token);
  }
  const { header, payload, profile, profileInfo, issuedAt, expiresAt, expired, secondsLeft } = decoded;
  if (values.json) {
    writeOut(
      {
        header,
        payload,
        profile,
        profileInfo,
        issuedAt: isoString(issuedAt),
        expiresAt: isoString(expiresAt),
        expired,
        secondsLeft,
        verified: false,
      },
      true,
    );
    return;
  }
  const lines = [
    'NOT VERIFIED: decoded for reading only.',
    `header:  ${JSON.stringify(header)}`,
    `claims:  ${JSON.stringify(payload, null, 2).replace(/\n/g, '\n         ')}`,
    `profile: ${profile ?? 'none recognised'}`,
  ];
  const scopes = scopeLines(payload, profile, profileInfo);
  if (scopes.length) lines.push('scopes:', ...scopes);
  if (issuedAt) lines.push(`issued:  ${isoString(issuedAt) ?? `${payload.iat} (Unix seconds, outside the range of dates)`}`);
  if (expiresAt === null) {
    lines.push('expires: never (no exp)');
  } else if (isoString(expiresAt) === null) {
    const when = `${payload.exp ?? payload.expires} (Unix seconds, outside the range of dates)`;
    lines.push(`expires: ${when}  ${expired ? 'EXPIRED' : `(${words(secondsLeft)} left)`}`);
  } else if (expired) {
    const ago = (Date.now() - expiresAt.getTime()) / 1000;
    lines.push(`expires: ${expiresAt.toISOString()}  EXPIRED ${words(ago)} ago`);
  } else {
    lines.push(`expires: ${expiresAt.toISOString()}  (${words(secondsLeft)} left)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

// ---- main -------------------------------------------------------------------

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

// Runs only as a program (also through npm's bin symlink), so tests may import the helpers above.
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
