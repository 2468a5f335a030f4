// `scopemint/server`: the second wasm with the SQL filter parser and the
// data-model renderer, through both module systems, against a real
// PostgreSQL (PGlite) so "bound, never spliced" is checked by a database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as main from 'scopemint';
import { createSigner, createVerifier, normalizeSqlFilter, renderDataModel } from 'scopemint/server';
import { isCode } from './helpers.mjs';
import { PGlite } from '@electric-sql/pglite';

const require = createRequire(import.meta.url);
const secret = 'admin-token-0123456789abcdef-0123456789abcdef';

test('the server entry loads under require and import; the main entry has no SQL parser', () => {
  const cjs = require('scopemint/server');
  assert.equal(cjs.normalizeSqlFilter("a='x'"), "a = 'x'");
  assert.equal(typeof cjs.createSigner, 'function');
  assert.equal(main.normalizeSqlFilter, undefined);
  assert.equal(main.renderDataModel, undefined);
});

test('normalizeSqlFilter returns the normalised condition', () => {
  assert.equal(normalizeSqlFilter("  org_id='acme'  and(region in ('eu','us')) "), "org_id = 'acme' AND (region IN ('eu', 'us'))");
  assert.equal(normalizeSqlFilter('amount::int > 3', { dialect: 'postgres' }), 'amount::INT > 3');
  assert.equal(normalizeSqlFilter('org_id IN (SELECT id FROM orgs)', { allowSubqueries: true }), 'org_id IN (SELECT id FROM orgs)');
});

test('normalizeSqlFilter refuses everything that is not one condition', () => {
  for (const filter of [
    "org_id = 'a'; DROP TABLE orders",
    "org_id = 'a' -- OR 1 = 1",
    '/* */ org_id = 1',
    'org_id IN (SELECT id FROM orgs)',
    'EXISTS (SELECT 1)',
    'org_id = ?',
    '1',
    "'acme'",
    'a + 1',
    '',
    `a = 1${' AND a = 1'.repeat(300)}`,
    `org_id IN (${Array(20000).fill("'x'").join(',')})`,
  ]) {
    assert.throws(() => normalizeSqlFilter(filter), isCode('ERR_FILTER_INVALID'), filter.slice(0, 60));
  }
  assert.throws(() => normalizeSqlFilter(42), isCode('ERR_INVALID_OPTION'));
  assert.throws(() => normalizeSqlFilter('a = 1', { dialect: 'oracle' }), isCode('ERR_INVALID_OPTION'));
  assert.throws(() => normalizeSqlFilter('a = 1', { allowSubquery: true }), isCode('ERR_INVALID_OPTION'));
});

test('deep nesting in the wasm build is refused cleanly and leaves the module working', () => {
  const shapes = [
    (n) => `${'('.repeat(n)}a = 1${')'.repeat(n)}`,
    (n) => `${'NOT '.repeat(n)}a = 1`,
    (n) => `${'f('.repeat(n)}a${')'.repeat(n)} = 1`,
    (n) => `${'CASE WHEN a THEN '.repeat(n)}1${' END'.repeat(n)} = 1`,
    (n) => `a${' IS NULL = TRUE'.repeat(n)}`,
    (n) => `a${' + a'.repeat(n)} = 1`,
  ];
  for (const shape of shapes) {
    for (const n of [8, 31, 32, 33, 64, 128, 255, 256, 5000]) {
      try {
        assert.equal(typeof normalizeSqlFilter(shape(n)), 'string');
      } catch (error) {
        assert.ok(isCode('ERR_FILTER_INVALID')(error), `${shape(2)} x${n}: ${error}`);
      }
    }
  }
  // A corrupted wasm stack would show here, long after the deep inputs.
  assert.equal(normalizeSqlFilter("org_id='acme'"), "org_id = 'acme'");
});

test('authorize hands out the normalised filter; the main entry refuses what it cannot check', () => {
  const token = createSigner({ secret, workspaceId: 'ws_1' }).createJWT({
    name: 's', expiresAt: new Date(Date.now() + 600e3),
    scopes: [{ type: 'DATASOURCES:READ', resource: 'events', filter: "org_id='acme'" }],
  }).token;
  const request = { type: 'DATASOURCES:READ', resource: 'events' };
  assert.equal(createVerifier({ secret }).authorize(token, request).filter, "org_id = 'acme'");
  assert.throws(() => main.createVerifier({ secret }).authorize(token, request),
    (e) => e instanceof main.TokenError && e.code === 'ERR_FILTER_UNCHECKED' && e.message.includes('scopemint/server'));
});

test('a bad filter is refused at mint time by the server signer and at authorize by the server verifier', () => {
  const params = {
    name: 's', expiresAt: new Date(Date.now() + 600e3),
    scopes: [{ type: 'DATASOURCES:READ', resource: 'events', filter: "1=1; DROP TABLE events" }],
  };
  assert.throws(() => createSigner({ secret, workspaceId: 'ws_1' }).createJWT(params),
    (e) => isCode('ERR_FILTER_INVALID')(e) && e.claim === 'scopes[0].filter');
  // Another issuer could sign such a token; the server verifier refuses it.
  const token = main.createSigner({ secret }).sign({ workspace_id: 'ws_1', name: 's', exp: Math.floor(params.expiresAt / 1000), scopes: params.scopes });
  assert.throws(() => createVerifier({ secret }).authorize(token, { type: 'DATASOURCES:READ', resource: 'events' }),
    (e) => isCode('ERR_FILTER_INVALID')(e) && e.claim === 'scopes[0].filter');
});

const model = `SELECT user_id, region, amount FROM orders
WHERE user_id = {{ COMPILE_CONTEXT.securityContext.userId }}
{% if COMPILE_CONTEXT.securityContext.regions %} AND region IN {{ list(COMPILE_CONTEXT.securityContext.regions) }} {% endif %}
ORDER BY amount`;

test('renderDataModel binds every value, for each dialect', () => {
  const context = { userId: 'u1', regions: ['eu', 'us'] };
  const postgres = renderDataModel(model, context, { dialect: 'postgres' });
  assert.match(postgres.sql, /WHERE user_id = \$1\s+AND region IN \(\$2, \$3\)/);
  assert.deepEqual(postgres.params, ['u1', 'eu', 'us']);
  const clickhouse = renderDataModel(model, context, { dialect: 'clickhouse', paramOffset: 2 });
  assert.match(clickhouse.sql, /user_id = \{p3:String\}\s+AND region IN \(\{p4:String\}, \{p5:String\}\)/);
  const mysql = renderDataModel(model, { userId: 'u1' }, { dialect: 'mysql' });
  assert.doesNotMatch(mysql.sql, /region IN/);
  assert.deepEqual(mysql.params, ['u1']);
  assert.throws(() => renderDataModel('{{ securityContext.missing }}', {}, { dialect: 'postgres' }), isCode('ERR_TEMPLATE_INVALID'));
  assert.throws(() => renderDataModel('{% if %}', {}, { dialect: 'postgres' }), isCode('ERR_TEMPLATE_INVALID'));
  assert.throws(() => renderDataModel(model, 'u1', { dialect: 'postgres' }), isCode('ERR_INVALID_OPTION'));
  assert.throws(() => renderDataModel(model, {}, { dialect: 'oracle' }), isCode('ERR_INVALID_OPTION'));
  assert.throws(() => renderDataModel(null, {}, { dialect: 'postgres' }), isCode('ERR_INVALID_OPTION'));
});

test('rendered data models run on PostgreSQL and injection attempts in the context match nothing', async () => {
  const db = new PGlite();
  try {
    await db.exec(`CREATE TABLE orders (user_id text, region text, amount int);
      INSERT INTO orders VALUES ('u1','eu',10), ('u1','us',20), ('u1','apac',30), ('u2','eu',40), ('u2','us',50);`);
    const run = async (context) => {
      const { sql, params } = renderDataModel(model, context, { dialect: 'postgres' });
      return (await db.query(sql, params)).rows.map((r) => r.amount);
    };
    assert.deepEqual(await run({ userId: 'u1' }), [10, 20, 30]);
    assert.deepEqual(await run({ userId: 'u1', regions: ['eu', 'apac'] }), [10, 30]);
    // An empty list is falsy, so the template's own `if` drops the condition...
    assert.deepEqual(await run({ userId: 'u1', regions: [] }), [10, 20, 30]);
    // ...and list() of nothing, rendered anyway, matches no row rather than every row.
    const empty = renderDataModel('SELECT amount FROM orders WHERE region IN {{ list(securityContext.regions) }}', { regions: [] }, { dialect: 'postgres' });
    assert.deepEqual((await db.query(empty.sql, empty.params)).rows, []);
    for (const attack of ["' OR '1'='1", "u1' OR 1=1 --", "u1'; DROP TABLE orders; --", '$1', '{{ 7*7 }}', 'u1\u0001']) {
      assert.deepEqual(await run({ userId: attack }), [], attack);
      assert.deepEqual(await run({ userId: 'u2', regions: [attack, `eu') OR ('1'='1`] }), [], attack);
    }
    assert.equal((await db.query('SELECT count(*)::int AS n FROM orders')).rows[0].n, 5);
  } finally {
    await db.close();
  }
});
