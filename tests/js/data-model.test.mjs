// renderDataModel on real databases: the single-brace placeholders Embeddable's
// models write (https://docs.embeddable.com/deployment/tokens-api, the
// `securityContext` example), schema-per-tenant through identifier() with
// hostile values (https://docs.embeddable.com/data-modeling/row-level-security),
// on PostgreSQL (PGlite) and SQLite (sql.js); and the value bounds of issue 11.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { PGlite } from '@electric-sql/pglite';
import { renderDataModel } from 'scopemint/server';
import { isCode } from './helpers.mjs';

const require = createRequire(import.meta.url);
const initSqlJs = require('sql.js');


// The Tokens API page's model, verbatim: a single-brace placeholder in quotes.
const SEED_MODEL = `SELECT user_id, created_at FROM public.orders WHERE user_id = '{ COMPILE_CONTEXT.securityContext.userId }'
{% if COMPILE_CONTEXT.securityContext.regions %} AND region IN {{ list(COMPILE_CONTEXT.securityContext.regions) }} {% endif %}`;

const HOSTILE = [
  "' OR '1'='1",
  "u1' OR 1=1 --",
  'tenant_a"; DROP TABLE tenant_b.orders; --',
  'tenant_a.orders, tenant_b',
  'tenant_b`',
  '$1',
  '{ COMPILE_CONTEXT.securityContext.userId }',
  'pg_catalog',
  'TENANT_A',
];

test('the seed model binds its single-brace placeholder on PostgreSQL and returns only that user\'s rows', async () => {
  const db = new PGlite();
  try {
    await db.exec(`CREATE TABLE orders (user_id text, region text, created_at int);
      INSERT INTO orders VALUES ('u1','us-east',1), ('u1','eu-west',2), ('u1','apac',3), ('u2','us-east',4);`);
    const run = async (context) => {
      const { sql, params } = renderDataModel(SEED_MODEL, context, { dialect: 'postgres' });
      assert.ok(!sql.includes('COMPILE_CONTEXT') && !sql.includes('{'), sql);
      return (await db.query(sql, params)).rows.map((r) => r.created_at);
    };
    assert.deepEqual(await run({ userId: 'u1' }), [1, 2, 3]);
    assert.deepEqual(await run({ userId: 'u1', regions: ['us-east', 'eu-west'] }), [1, 2]);
    for (const attack of HOSTILE) assert.deepEqual(await run({ userId: attack }), [], attack);
  } finally {
    await db.close();
  }
});

test('schema per tenant on PostgreSQL: identifier() reads the tenant\'s schema, hostile names are refused, a plain placeholder there is refused', async () => {
  const db = new PGlite();
  try {
    await db.exec(`CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b;
      CREATE TABLE tenant_a.orders (amount int); CREATE TABLE tenant_b.orders (amount int);
      INSERT INTO tenant_a.orders VALUES (1), (2); INSERT INTO tenant_b.orders VALUES (100);`);
    const model = 'SELECT amount FROM {{ identifier(COMPILE_CONTEXT.securityContext.schema) }}.orders WHERE amount < {{ COMPILE_CONTEXT.securityContext.max }} ORDER BY amount';
    const run = async (schema, options = {}) => {
      const { sql, params } = renderDataModel(model, { schema, max: 1000 }, { dialect: 'postgres', ...options });
      return (await db.query(sql, params)).rows.map((r) => r.amount);
    };
    assert.deepEqual(await run('tenant_a'), [1, 2]);
    assert.deepEqual(await run('tenant_b'), [100]);
    for (const attack of HOSTILE.filter((h) => h !== 'pg_catalog' && h !== 'TENANT_A')) {
      assert.throws(() => renderDataModel(model, { schema: attack, max: 1 }, { dialect: 'postgres' }), isCode('ERR_TEMPLATE_INVALID'), attack);
    }
    // Names of the grammar that are not the tenant's: quoted, so case is kept and no other schema's table answers...
    await assert.rejects(run('TENANT_A'), /does not exist/);
    // ...and the caller's allowlist keeps them out before any query.
    const allowedIdentifiers = ['tenant_a', 'tenant_b'];
    assert.deepEqual(await run('tenant_a', { allowedIdentifiers }), [1, 2]);
    assert.throws(() => renderDataModel(model, { schema: 'pg_catalog', max: 1 }, { dialect: 'postgres', allowedIdentifiers }), isCode('ERR_TEMPLATE_INVALID'));
    // Embeddable's own single-brace form in the identifier position is refused, never rendered as `$1.orders`.
    assert.throws(
      () => renderDataModel('SELECT * FROM { COMPILE_CONTEXT.securityContext.schema }.orders', { schema: 'tenant_a' }, { dialect: 'postgres' }),
      (e) => isCode('ERR_TEMPLATE_INVALID')(e) && /identifier\(/.test(e.message),
    );
    assert.equal((await db.query('SELECT count(*)::int AS n FROM tenant_b.orders')).rows[0].n, 1);
  } finally {
    await db.close();
  }
});

test('schema per tenant on SQLite (sql.js): attached databases named through identifier()', async () => {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  try {
    db.exec(`ATTACH ':memory:' AS tenant_a; ATTACH ':memory:' AS tenant_b;
      CREATE TABLE tenant_a.orders (amount int); CREATE TABLE tenant_b.orders (amount int);
      INSERT INTO tenant_a.orders VALUES (1), (2); INSERT INTO tenant_b.orders VALUES (100);`);
    const model = 'SELECT amount FROM {{ identifier(securityContext.schema) }}.orders WHERE amount < {{ securityContext.max }} ORDER BY amount';
    const run = (schema) => {
      const { sql, params } = renderDataModel(model, { schema, max: 1000 }, { dialect: 'sqlite' });
      const rows = [];
      const statement = db.prepare(sql);
      statement.bind(params);
      while (statement.step()) rows.push(statement.get()[0]);
      statement.free();
      return rows;
    };
    assert.deepEqual(run('tenant_a'), [1, 2]);
    assert.deepEqual(run('tenant_b'), [100]);
    for (const attack of HOSTILE.filter((h) => h !== 'pg_catalog' && h !== 'TENANT_A')) {
      assert.throws(() => run(attack), isCode('ERR_TEMPLATE_INVALID'), attack);
    }
    // A backtick-quoted unknown name is an error in SQLite, never a string literal.
    assert.throws(() => run('tenant_c'), /no such table|unknown database/);
    const columns = renderDataModel('SELECT {{ identifier(securityContext.c) }} FROM tenant_a.orders', { c: 'missing' }, { dialect: 'sqlite' });
    assert.throws(() => db.exec(columns.sql), /no such column/);
  } finally {
    db.close();
  }
});

test('bound values are bounded, and templates that double a string end quickly with ERR_TEMPLATE_INVALID (issue 11)', () => {
  const ids = Array.from({ length: 10_001 }, (_, i) => i);
  assert.throws(() => renderDataModel('WHERE id IN {{ list(securityContext.ids) }}', { ids }, { dialect: 'postgres' }), isCode('ERR_TEMPLATE_INVALID'));
  for (const template of [
    "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "{% set s = 'x' %}{% for i in range(64) %}{% set s = s ~ s %}{% endfor %}{{ s }}",
    "{{ 'x' * 100000000 }}",
    "{% set s = securityContext.s|list|string %}{% set s = s|list|string %}{% set s = s|list|string %}{% set s = s|list|string %}{{ s|length }}",
  ]) {
    const started = process.hrtime.bigint();
    const before = process.memoryUsage().rss;
    assert.throws(() => renderDataModel(template, { s: 'x'.repeat(1000) }, { dialect: 'postgres' }), isCode('ERR_TEMPLATE_INVALID'), template);
    // Not a speed assertion: a template that ran away would not come back at all.
    assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 30, template);
    assert.ok(process.memoryUsage().rss - before < 512 * 1024 * 1024, template);
  }
  // The server entry still works after refusing (no trapped wasm instance).
  assert.deepEqual(renderDataModel('WHERE a = { securityContext.a }', { a: 1 }, { dialect: 'sqlite' }), { sql: 'WHERE a = ?', params: [1] });
});
