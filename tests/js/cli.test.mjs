// The scopemint CLI as a shell user runs it: child processes of
// `node pkg/bin/scopemint.mjs`, checked by output, files and exit code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { createSigner } from 'scopemint';
import { b64url, payloadOf, unb64url } from './helpers.mjs';

const CLI = fileURLToPath(new URL('../../pkg/bin/scopemint.mjs', import.meta.url));
const ADMIN_TOKEN = 'p.eyJ1IjogIjdmOTIwMmMzLWM1ZjctNDU4Ni1hZDUxLTdmYzUzNTRlMTk5YSJ9';
const COMMANDS = ['keygen', 'tinybird-jwt', 'vizzly-tokens', 'sign', 'verify', 'decode'];

let dir;
let privateFile;
let publicFile;

/** Runs the CLI; env replaces the Tinybird variables so the caller's shell never leaks in. */
function run(args, { env = {}, input } = {}) {
  const base = { ...process.env };
  delete base.TINYBIRD_ADMIN_TOKEN;
  delete base.TINYBIRD_WORKSPACE_ID;
  const result = spawnSync(process.execPath, [CLI, ...args], { env: { ...base, ...env }, input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function ok(result) {
  assert.equal(result.code, 0, `exit ${result.code}: ${result.stderr}`);
  return result.stdout;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'scopemint-cli-'));
  ok(run(['keygen', '--out-dir', dir, '--prefix', 'fixture']));
  privateFile = join(dir, 'fixture-private.pem');
  publicFile = join(dir, 'fixture-public.pem');
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('keygen', () => {
  test('writes a 0600 private key and a public key that jose can use', async () => {
    const stdout = ok(run(['keygen', '--alg', 'ES256', '--out-dir', dir, '--prefix', 'k1']));
    const priv = join(dir, 'k1-private.pem');
    const pub = join(dir, 'k1-public.pem');
    assert.match(stdout, /k1-private\.pem/);
    assert.equal(statSync(priv).mode & 0o777, 0o600);
    assert.match(readFileSync(priv, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    assert.match(readFileSync(pub, 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    await jose.importPKCS8(readFileSync(priv, 'utf8'), 'ES256');
    await jose.importSPKI(readFileSync(pub, 'utf8'), 'ES256');
  });

  test('refuses to overwrite without --force (exit 3), overwrites with it', () => {
    run(['keygen', '--out-dir', dir, '--prefix', 'k2']);
    const first = readFileSync(join(dir, 'k2-private.pem'), 'utf8');
    const refused = run(['keygen', '--out-dir', dir, '--prefix', 'k2']);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /exists/);
    assert.equal(readFileSync(join(dir, 'k2-private.pem'), 'utf8'), first);
    writeFileSync(join(dir, 'k3-public.pem'), 'keep');
    assert.equal(run(['keygen', '--out-dir', dir, '--prefix', 'k3']).code, 3);
    assert.throws(() => statSync(join(dir, 'k3-private.pem')), { code: 'ENOENT' }, 'no half key pair');
    ok(run(['keygen', '--out-dir', dir, '--prefix', 'k2', '--force']));
    assert.notEqual(readFileSync(join(dir, 'k2-private.pem'), 'utf8'), first);
    assert.equal(statSync(join(dir, 'k2-private.pem')).mode & 0o777, 0o600);
  });

  test('never writes through a symlink, with or without --force', () => {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'victim');
    symlinkSync(victim, join(dir, 'sl-private.pem'));
    const refused = run(['keygen', '--out-dir', dir, '--prefix', 'sl']);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /exists/);
    ok(run(['keygen', '--out-dir', dir, '--prefix', 'sl', '--force']));
    assert.equal(readFileSync(victim, 'utf8'), 'victim', 'the symlink target is untouched');
    const replaced = lstatSync(join(dir, 'sl-private.pem'));
    assert.ok(replaced.isFile() && !replaced.isSymbolicLink());
    assert.equal(replaced.mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'sl-private.pem'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);

    // A dangling symlink: following it would create the attacker's chosen file.
    const planted = join(dir, 'planted.pem');
    symlinkSync(planted, join(dir, 'dg-public.pem'));
    assert.equal(run(['keygen', '--out-dir', dir, '--prefix', 'dg']).code, 3);
    assert.throws(() => statSync(planted), { code: 'ENOENT' });
    ok(run(['keygen', '--out-dir', dir, '--prefix', 'dg', '--force']));
    assert.throws(() => statSync(planted), { code: 'ENOENT' }, 'the dangling target was not created');
    assert.ok(!lstatSync(join(dir, 'dg-public.pem')).isSymbolicLink());
  });

  test('creates a missing --out-dir with mode 0700', () => {
    const nested = join(dir, 'new-keys', 'nested');
    ok(run(['keygen', '--out-dir', nested, '--prefix', 'n']));
    assert.equal(statSync(nested).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'new-keys')).mode & 0o777, 0o700);
    assert.equal(statSync(join(nested, 'n-private.pem')).mode & 0o777, 0o600);
  });

  test('--json and other algorithms', () => {
    const result = JSON.parse(ok(run(['keygen', '--alg', 'EdDSA', '--out-dir', dir, '--prefix', 'ed', '--json'])));
    assert.equal(result.algorithm, 'EdDSA');
    assert.equal(result.publicJwk.crv, 'Ed25519');
    assert.equal(result.privateKeyFile, join(dir, 'ed-private.pem'));
    const bad = run(['keygen', '--alg', 'RS256', '--out-dir', dir, '--prefix', 'rsa']);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /ERR_/);
  });
});

describe('tinybird-jwt', () => {
  const args = [
    'tinybird-jwt', 'user_123_session', '--ttl', '1h',
    '--scope', 'PIPES:READ', '--resource', 'user_dashboard', '--fixed-params', 'user_id=123,org=acme',
    '--fixed-params', 'beta=true,zip=00123',
    '--scope', 'DATASOURCES:READ', '--resource', 'events', '--filter', "org_id = 'acme'",
    '--scope', 'DATASOURCES:APPEND', '--resource', 'user_events',
    '--rps', '10', '--workspace-id', 'ws_123',
  ];

  test('prints a token that jose verifies with the admin token; flags group by position', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = ok(run(args, { env: { TINYBIRD_ADMIN_TOKEN: ADMIN_TOKEN } })).trim();
    const { payload } = await jose.jwtVerify(token, new TextEncoder().encode(ADMIN_TOKEN), { algorithms: ['HS256'] });
    assert.deepEqual(payload, {
      workspace_id: 'ws_123',
      name: 'user_123_session',
      exp: payload.exp,
      scopes: [
        { type: 'PIPES:READ', resource: 'user_dashboard', fixed_params: { user_id: 123, org: 'acme', beta: true, zip: '00123' } },
        { type: 'DATASOURCES:READ', resource: 'events', filter: "org_id = 'acme'" },
        { type: 'DATASOURCES:APPEND', resource: 'user_events' },
      ],
      limits: { rps: 10 },
    });
    assert.ok(payload.exp >= before + 3600 && payload.exp <= before + 3602, String(payload.exp - before));
  });

  test('--filter is checked by the server build: a second statement exits 3 with ERR_FILTER_INVALID', () => {
    const bad = run([
      'tinybird-jwt', 'n', '--ttl', '1h', '--scope', 'DATASOURCES:READ', '--resource', 'events',
      '--filter', "org_id = 'a'; DROP TABLE events", '--workspace-id', 'ws', '--json',
    ], { env: { TINYBIRD_ADMIN_TOKEN: ADMIN_TOKEN } });
    assert.equal(bad.code, 3, bad.stderr);
    const { error } = JSON.parse(bad.stdout);
    assert.equal(error.code, 'ERR_FILTER_INVALID');
    assert.equal(error.claim, 'scopes[0].filter');
  });

  test('secret from --secret-file, workspace from TINYBIRD_WORKSPACE_ID, ttl units, --json', async () => {
    const secretFile = join(dir, 'admin-token');
    writeFileSync(secretFile, `${ADMIN_TOKEN}\n`);
    for (const [ttl, seconds] of [['30s', 30], ['15m', 900], ['7d', 604800], ['90', 90]]) {
      const out = ok(run(['tinybird-jwt', 'n', '--ttl', ttl, '--scope', 'PIPES:READ', '--resource', 'p', '--secret-file', secretFile, '--json'], {
        env: { TINYBIRD_WORKSPACE_ID: 'ws_env' },
      }));
      const { token } = JSON.parse(out);
      const { payload } = await jose.jwtVerify(token, new TextEncoder().encode(ADMIN_TOKEN));
      assert.equal(payload.workspace_id, 'ws_env');
      const left = payload.exp - Date.now() / 1000;
      assert.ok(left > seconds - 3 && left <= seconds, `${ttl}: ${left}`);
    }
  });

  test('usage errors exit 2; library refusals exit 3 with the code', () => {
    const env = { TINYBIRD_ADMIN_TOKEN: ADMIN_TOKEN, TINYBIRD_WORKSPACE_ID: 'ws' };
    const base = ['tinybird-jwt', 'n', '--ttl', '1h'];
    assert.equal(run([...base, '--resource', 'p', '--scope', 'PIPES:READ'], { env }).code, 2, '--resource before --scope');
    assert.equal(run([...base, '--scope', 'PIPES:READ'], { env }).code, 2, 'no --resource');
    assert.equal(run(['tinybird-jwt', '--ttl', '1h', '--scope', 'PIPES:READ', '--resource', 'p'], { env }).code, 2, 'no NAME');
    assert.equal(run([...base, '--scope', 'PIPES:READ', '--resource', 'p']).code, 2, 'no admin token');
    assert.equal(run([...base, '--scope', 'PIPES:READ', '--resource', 'p'], { env: { TINYBIRD_ADMIN_TOKEN: ADMIN_TOKEN } }).code, 2, 'no workspace');
    assert.equal(run(['tinybird-jwt', 'n', '--ttl', 'soon', '--scope', 'PIPES:READ', '--resource', 'p'], { env }).code, 2, 'bad ttl');
    for (const [extra, claim] of [
      [['--rps', '1.5'], 'limits.rps'],
      [['--rps', '0'], 'limits.rps'],
      [['--scope', 'PIPES:DROP', '--resource', 'x'], 'scopes[1].type'],
      [['--scope', 'DATASOURCES:APPEND', '--resource', 'e', '--fixed-params', 'a=1'], 'scopes[1].fixed_params'],
    ]) {
      const result = run([...base, '--scope', 'PIPES:READ', '--resource', 'p', ...extra, '--json'], { env });
      assert.equal(result.code, 3, extra.join(' '));
      assert.match(result.stderr, /ERR_INVALID_OPTION/);
      assert.deepEqual(JSON.parse(result.stdout).error.claim, claim);
    }
    const unreadable = run([...base, '--scope', 'PIPES:READ', '--resource', 'p', '--secret-file', join(dir, 'missing')], { env });
    assert.equal(unreadable.code, 3);
  });
});

describe('vizzly-tokens', () => {
  test('prints the identity response; every token verifies with the public key', async () => {
    const out = ok(run([
      'vizzly-tokens', '--private-key', privateFile, '--ttl', '120', '--project', 'prj_1', '--user', 'user_123',
      '--scope', 'read_write', '--data-sets', 'hr-payroll-data,hr-people-data',
      '--secure-filter', 'hr-payroll-data:field_user_id=user_123',
      '--secure-filter', 'hr-people-data:region[is_one_of]us,eu', '--secure-filter', 'hr-people-data:age>=18',
      '--or-secure-filter', 'hr-people-data:tags[array_contains]public',
      '--query-engine',
    ]));
    const tokens = JSON.parse(out);
    assert.deepEqual(Object.keys(tokens), ['dashboardAccessToken', 'dataAccessToken', 'queryEngineAccessToken']);
    const key = await jose.importSPKI(readFileSync(publicFile, 'utf8'), 'ES256');
    const dashboard = (await jose.jwtVerify(tokens.dashboardAccessToken, key)).payload;
    assert.deepEqual(
      { ...dashboard, expires: undefined },
      { accessType: 'standard', projectId: 'prj_1', userReference: 'user_123', scope: 'read_write', expires: undefined },
    );
    // --ttl 120 is seconds: bare numbers are seconds in every command.
    const left = Date.parse(dashboard.expires) - Date.now();
    assert.ok(left > 115_000 && left <= 120_000, String(left));
    const data = (await jose.jwtVerify(tokens.dataAccessToken, key)).payload;
    assert.deepEqual(data.dataSetIds, ['hr-payroll-data', 'hr-people-data']);
    // Always Vizzly's nested form: repeated --secure-filter is one AND-group,
    // --or-secure-filter starts another (https://docs.vizzly.co/identity/properties/secure-filters).
    assert.deepEqual(data.secureFilters, {
      'hr-payroll-data': [[{ field: 'field_user_id', op: '=', value: 'user_123' }]],
      'hr-people-data': [
        [{ field: 'region', op: 'is_one_of', value: ['us', 'eu'] }, { field: 'age', op: '>=', value: 18 }],
        [{ field: 'tags', op: 'array_contains', value: 'public' }],
      ],
    });
    assert.equal(data.projectId, 'prj_1');
    const queryEngine = (await jose.jwtVerify(tokens.queryEngineAccessToken, key)).payload;
    assert.equal(queryEngine.allowDatabaseSchemaAccess, true);
    assert.equal(queryEngine.allowDataPreviewAccess, true);
  });

  test('dashboard only by default, with --organisation and "*"', () => {
    const only = JSON.parse(ok(run(['vizzly-tokens', '--private-key', privateFile, '--ttl', '2m', '--organisation', 'org_1', '--user', 'u', '--json'])));
    assert.deepEqual(Object.keys(only), ['dashboardAccessToken']);
    // Vizzly's defaults (vizzly-co/examples node-auth): standard, read_write.
    const claims = payloadOf(only.dashboardAccessToken);
    assert.equal(claims.accessType, 'standard');
    assert.equal(claims.scope, 'read_write');
    const all = JSON.parse(ok(run(['vizzly-tokens', '--private-key', privateFile, '--ttl', '2m', '--project', 'p', '--user', 'u', '--data-sets', '*', '--json'])));
    const data = payloadOf(all.dataAccessToken);
    assert.equal(data.dataSetIds, '*');
    assert.deepEqual(data.secureFilters, {});
  });

  test('missing or conflicting arguments exit 2; a filter on an unlisted data set exits 3', () => {
    const base = ['vizzly-tokens', '--private-key', privateFile, '--ttl', '2m', '--user', 'u'];
    assert.equal(run(base).code, 2, 'neither project nor organisation');
    assert.equal(run([...base, '--project', 'p', '--organisation', 'o']).code, 2, 'both');
    assert.equal(run(['vizzly-tokens', '--private-key', privateFile, '--ttl', '2m', '--project', 'p']).code, 2, 'no user');
    assert.equal(run([...base, '--project', 'p', '--secure-filter', 'a:x=1']).code, 2, 'filter without data sets');
    assert.equal(run([...base, '--project', 'p', '--or-secure-filter', 'a:x=1']).code, 2, 'or-filter without data sets');
    assert.equal(run([...base, '--project', 'p', '--data-sets', 'a', '--secure-filter', 'a-no-op']).code, 2, 'filter without op');
    const unlisted = run([...base, '--project', 'p', '--data-sets', 'a', '--secure-filter', 'b:x=1']);
    assert.equal(unlisted.code, 3);
    assert.match(unlisted.stderr, /ERR_INVALID_OPTION/);
    const wrongScope = run([...base, '--project', 'p', '--scope', 'write']);
    assert.equal(wrongScope.code, 3);
  });

  test('an unreadable key file exits 3; a non-P-256 key exits 3 with ERR_KEY_INVALID', () => {
    const missing = run(['vizzly-tokens', '--private-key', join(dir, 'nope.pem'), '--ttl', '2m', '--project', 'p', '--user', 'u']);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /nope\.pem/);
    run(['keygen', '--alg', 'ES384', '--out-dir', dir, '--prefix', 'p384']);
    const p384 = run(['vizzly-tokens', '--private-key', join(dir, 'p384-private.pem'), '--ttl', '2m', '--project', 'p', '--user', 'u']);
    assert.equal(p384.code, 3);
    assert.match(p384.stderr, /ERR_KEY_INVALID/);
  });
});

describe('sign, verify, decode', () => {
  test('sign -> verify round trip with a key pair, and jose agrees', async () => {
    const token = ok(run(['sign', '--private-key', privateFile, '--ttl', '15m', '--claims', '{"sub":"user_123","org":"acme"}', '--kid', 'k1'])).trim();
    const verified = JSON.parse(ok(run(['verify', token, '--public-key', publicFile, '--json'])));
    assert.equal(verified.valid, true);
    assert.equal(verified.header.kid, 'k1');
    assert.equal(verified.payload.sub, 'user_123');
    assert.equal(verified.payload.exp - verified.payload.iat, 900);
    const { payload } = await jose.jwtVerify(token, await jose.importSPKI(readFileSync(publicFile, 'utf8'), 'ES256'));
    assert.equal(payload.org, 'acme');
    assert.match(ok(run(['verify', token, '--public-key', publicFile])), /^valid/);
  });

  test('sign -> verify with an HMAC secret file; TOKEN "-" reads stdin; --issuer', () => {
    const secretFile = join(dir, 'hmac-secret');
    writeFileSync(secretFile, 'a-shared-secret-of-at-least-32-bytes!!\n');
    const token = JSON.parse(ok(run(['sign', '--secret-file', secretFile, '--ttl', '1h', '--claims', '{"iss":"https://app.example"}', '--json']))).token;
    ok(run(['verify', '-', '--secret-file', secretFile, '--issuer', 'https://app.example'], { input: `${token}\n` }));
    const wrongIssuer = run(['verify', token, '--secret-file', secretFile, '--issuer', 'https://other.example']);
    assert.equal(wrongIssuer.code, 1);
    assert.match(wrongIssuer.stderr, /ERR_JWT_CLAIM_INVALID/);
  });

  test('verify with a JWKS file, and a Vizzly token with --profile vizzly', () => {
    const token = ok(run(['sign', '--private-key', privateFile, '--ttl', '1h', '--kid', 'k1'])).trim();
    // The fixture's public JWK, built by node:crypto rather than scopemint.
    const fixtureJwk = { ...createPublicKey(readFileSync(publicFile, 'utf8')).export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' };
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [fixtureJwk] }));
    ok(run(['verify', token, '--jwks', jwksFile]));
    const vizzly = JSON.parse(ok(run(['vizzly-tokens', '--private-key', privateFile, '--ttl', '5m', '--project', 'p', '--user', 'u'])));
    const plain = run(['verify', vizzly.dashboardAccessToken, '--public-key', publicFile]);
    assert.equal(plain.code, 1, 'no exp without the profile');
    assert.match(plain.stderr, /--profile vizzly/);
    ok(run(['verify', vizzly.dashboardAccessToken, '--public-key', publicFile, '--profile', 'vizzly']));
  });

  test('a tampered token exits 1 with the TokenError code on stderr', () => {
    const token = ok(run(['sign', '--private-key', privateFile, '--ttl', '1h', '--claims', '{"org":"acme"}'])).trim();
    const [h, p, s] = token.split('.');
    const forged = b64url({ ...unb64url(p), org: 'evil' });
    const result = run(['verify', `${h}.${forged}.${s}`, '--public-key', publicFile]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ERR_JWS_SIGNATURE_INVALID/);
    assert.equal(result.stdout, '');
    const json = run(['verify', `${h}.${forged}.${s}`, '--public-key', publicFile, '--json']);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout), { valid: false, error: { code: 'ERR_JWS_SIGNATURE_INVALID', message: JSON.parse(json.stdout).error.message } });
    assert.equal(run(['verify', 'not-a-token', '--public-key', publicFile]).code, 1);
  });

  test('an expired token exits 1 from verify; decode shows EXPIRED and exits 0', () => {
    // `scopemint sign` refuses a past exp (below), so the library mints this one.
    const expiredClaims = { exp: Math.floor(Date.now() / 1000) - 120 };
    const token = createSigner({ privateKey: readFileSync(privateFile, 'utf8') }).sign(expiredClaims);
    const result = run(['verify', token, '--public-key', publicFile]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ERR_JWT_EXPIRED/);
    const shown = ok(run(['decode', token]));
    assert.match(shown, /EXPIRED 2 minutes/);
    assert.equal(JSON.parse(ok(run(['decode', token, '--json']))).expired, true);
  });

  test('decode shows the Tinybird profile and each scope with fixed params and filter', () => {
    const token = ok(run([
      'tinybird-jwt', 'n', '--ttl', '2h', '--scope', 'PIPES:READ', '--resource', 'user_dashboard', '--fixed-params', 'user_id=123',
      '--scope', 'DATASOURCES:READ', '--resource', 'events', '--filter', "org_id = 'acme'", '--rps', '5', '--workspace-id', 'ws',
    ], { env: { TINYBIRD_ADMIN_TOKEN: ADMIN_TOKEN } })).trim();
    const shown = ok(run(['decode', token]));
    assert.match(shown, /NOT VERIFIED/);
    assert.match(shown, /profile: tinybird/);
    assert.match(shown, /PIPES:READ user_dashboard\n\s+fixed params: user_id=123/);
    assert.match(shown, /DATASOURCES:READ events\n\s+filter: org_id = 'acme'/);
    assert.match(shown, /limits: 5 requests per second/);
    assert.match(shown, /expires: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}\((1 hour 59 minutes|2 hours) left\)/);
    const json = JSON.parse(ok(run(['decode', '-', '--json'], { input: token })));
    assert.equal(json.profile, 'tinybird');
    assert.equal(json.payload.scopes[0].fixed_params.user_id, 123);
    assert.equal(json.expired, false);
    assert.equal(new Date(json.expiresAt).getTime() / 1000, json.payload.exp);
  });

  test('decode shows Vizzly data sets and the boolean reading of their secure filters', () => {
    const tokens = JSON.parse(ok(run([
      'vizzly-tokens', '--private-key', privateFile, '--ttl', '10m', '--project', 'p', '--user', 'u', '--data-sets', 'ds1',
      '--secure-filter', 'ds1:uid=u', '--secure-filter', 'ds1:region=eu', '--or-secure-filter', 'ds1:uid=admin',
    ])));
    const shown = ok(run(['decode', tokens.dataAccessToken]));
    assert.match(shown, /profile: vizzly-data/);
    assert.match(shown, /data sets: ds1/);
    assert.ok(shown.includes(`secure filters on "ds1": (uid = 'u' AND region = 'eu') OR uid = 'admin'`), shown);
    const json = JSON.parse(ok(run(['decode', tokens.dataAccessToken, '--json'])));
    assert.deepEqual(json.profileInfo, { secureFilters: { ds1: "(uid = 'u' AND region = 'eu') OR uid = 'admin'" } });
    assert.match(shown, /\((9 minutes 5\d seconds|10 minutes) left\)/);
    assert.match(ok(run(['decode', tokens.dashboardAccessToken])), /profile: vizzly-dashboard/);
  });

  test('sign refuses claims whose exp is already past (exit 2)', () => {
    for (const exp of [Math.floor(Date.now() / 1000) - 1, 0, -1e300]) {
      const result = run(['sign', '--private-key', privateFile, '--claims', JSON.stringify({ exp })]);
      assert.equal(result.code, 2, `exp ${exp}: ${result.stderr}`);
      assert.match(result.stderr, /already past/);
      assert.equal(result.stdout, '');
    }
    const json = run(['sign', '--private-key', privateFile, '--claims', '{"exp":1}', '--json']);
    assert.equal(JSON.parse(json.stdout).error.code, 'ERR_USAGE');
    // Past the 3650-day maximum is the library's refusal (exit 3), named by claim.
    const far = run(['sign', '--private-key', privateFile, '--claims', '{"exp":1e300}', '--json']);
    assert.equal(far.code, 3);
    assert.deepEqual(JSON.parse(far.stdout).error.claim, 'exp');
    assert.equal(JSON.parse(far.stdout).error.code, 'ERR_INVALID_OPTION');
  });

  test('a CLI number that JSON cannot carry exactly is refused, not rounded or made Infinity (exit 2)', () => {
    const env = { TINYBIRD_ADMIN_TOKEN: ADMIN_TOKEN };
    const mint = (value) => run(['tinybird-jwt', 'n', '--ttl', '1h', '--scope', 'PIPES:READ', '--resource', 'p', '--fixed-params', `org_id=${value}`, '--workspace-id', 'ws'], { env });
    for (const value of ['12345678901234567890', '9'.repeat(400), `-${'9'.repeat(400)}`]) {
      const result = mint(value);
      assert.equal(result.code, 2, `${value.slice(0, 30)}: ${result.stderr}`);
      assert.match(result.stderr, /not exactly representable/);
    }
    const quoted = ok(mint('"12345678901234567890"')).trim();
    assert.equal(payloadOf(quoted).scopes[0].fixed_params.org_id, '12345678901234567890');
    const safe = ok(mint('9007199254740991')).trim();
    assert.equal(payloadOf(safe).scopes[0].fixed_params.org_id, 9007199254740991);
    const filter = run(['vizzly-tokens', '--private-key', privateFile, '--ttl', '5m', '--project', 'p', '--user', 'u', '--data-sets', 'd', '--secure-filter', `d:id=${'9'.repeat(400)}`]);
    assert.equal(filter.code, 2);
  });

  test('decode shows an exp or iat outside the JS Date range instead of crashing', () => {
    const unsigned = (claims) => `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
    const future = unsigned({ sub: 'u', iat: 1e300, exp: 1e300 });
    const shown = ok(run(['decode', future]));
    assert.match(shown, /expires: 1e\+300 \(Unix seconds, outside the range of dates\) {2}\(/);
    assert.match(shown, /issued: {2}1e\+300 \(Unix seconds/);
    assert.doesNotMatch(shown, /RangeError|\n\s+at /);
    const json = JSON.parse(ok(run(['decode', future, '--json'])));
    assert.equal(json.expiresAt, null);
    assert.equal(json.issuedAt, null);
    assert.equal(json.expired, false);
    assert.equal(json.payload.exp, 1e300);
    const past = ok(run(['decode', unsigned({ exp: -1e300 })]));
    assert.match(past, /expires: -1e\+300 \(Unix seconds, outside the range of dates\) {2}EXPIRED/);
  });

  test('sign usage errors exit 2; a key that does not fit exits 3', () => {
    assert.equal(run(['sign', '--ttl', '1h']).code, 2, 'no key');
    assert.equal(run(['sign', '--private-key', privateFile]).code, 2, 'no ttl');
    assert.equal(run(['sign', '--private-key', privateFile, '--ttl', '1h', '--claims', '{nope']).code, 2, 'bad JSON');
    assert.equal(run(['sign', '--private-key', privateFile, '--ttl', '1h', '--claims', '[1]']).code, 2, 'not an object');
    const alg = run(['sign', '--private-key', privateFile, '--ttl', '1h', '--alg', 'HS256']);
    assert.equal(alg.code, 3);
    assert.match(alg.stderr, /ERR_KEY_INVALID/);
    const privateAsPublic = run(['verify', 'a.b.c', '--public-key', privateFile]);
    assert.equal(privateAsPublic.code, 3);
  });
});

describe('usage, help, exit codes', () => {
  test('unknown command or flag exits 2 and prints usage', () => {
    const unknown = run(['mint']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "mint"/);
    assert.match(unknown.stderr, /Usage: scopemint <command>/);
    const flag = run(['decode', 'a.b.c', '--verbose']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--verbose/);
    assert.match(flag.stderr, /Usage: scopemint decode/);
    assert.equal(run([]).code, 2);
    assert.equal(run(['verify']).code, 2, 'missing TOKEN');
    assert.equal(run(['decode', 'a', 'b']).code, 2, 'extra argument');
  });

  test('an unreadable key file exits 3', () => {
    const result = run(['verify', 'a.b.c', '--public-key', join(dir, 'missing.pem')]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /ENOENT/);
    const json = run(['sign', '--private-key', join(dir, 'missing.pem'), '--ttl', '1h', '--json']);
    assert.equal(json.code, 3);
    assert.equal(JSON.parse(json.stdout).error.code, 'ENOENT');
  });

  test('--help for the CLI and every command exits 0 and documents exit codes', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const out = ok(run(args));
      for (const command of COMMANDS) assert.match(out, new RegExp(`^  ${command} `, 'm'));
      assert.match(out, /Exit codes:[\s\S]*1 {2}the token was rejected[\s\S]*2 {2}usage error[\s\S]*3 {2}/);
    }
    for (const command of COMMANDS) {
      for (const flag of ['--help', '-h']) {
        const out = ok(run([command, flag]));
        assert.match(out, new RegExp(`^Usage: scopemint ${command}`), command);
        assert.match(out, /--json/);
        assert.match(out, /Exit codes:/);
      }
      assert.match(ok(run(['help', command])), new RegExp(`^Usage: scopemint ${command}`));
    }
  });

  test('--version prints the package version', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../pkg/package.json', import.meta.url), 'utf8'));
    assert.equal(ok(run(['--version'])).trim(), manifest.version);
  });
});

