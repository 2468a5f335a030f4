// Vizzly secure filters on real databases: PostgreSQL (PGlite) and SQLite
// (sql.js). https://docs.vizzly.co/identity/properties/secure-filters defines
// `[a, b]` as "a OR b", `[[a, b]]` as "a AND b" and `[[a, b], [c]]` as
// "(a AND b) OR c". The rows below tell the three readings apart, and each is
// checked along the whole path: signDataAccessToken -> verifier.authorize ->
// grant.secureFilters -> compileSecureFilters -> the database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import initSqlJs from 'sql.js';
import { compileSecureFilters, createSigner, createVerifier, decode, generateKeyPair } from 'scopemint';

// id, org_id, region, amount, created_at, tags
const ROWS = [
  [1, 'acme', 'eu', 10, '2024-01-10', ['eu', 'public']],
  [2, 'acme', 'us', 20, '2024-02-10', ['us']],
  [3, 'globex', 'eu', 30, '2024-03-10', ['eu']],
  [4, 'globex', 'us', 40, '2024-04-10', ['public']],
  [5, 'initech', 'eu', 50, '2024-05-10', []],
  [6, 'initech', 'eu', -1, '2024-06-10', ['eu']],
];

const a = { field: 'org_id', op: '=', value: 'acme' };
const b = { field: 'region', op: '=', value: 'eu' };
const c = { field: 'org_id', op: '=', value: 'globex' };

// Each documented reading, the rows it selects, and decode's words for it.
const READINGS = [
  { name: 'OR (flat list)', filters: [a, b], ids: [1, 2, 3, 5, 6], words: "org_id = 'acme' OR region = 'eu'" },
  { name: 'AND (one nested group)', filters: [[a, b]], ids: [1], words: "org_id = 'acme' AND region = 'eu'" },
  {
    name: 'OR of AND-groups',
    filters: [[a, b], [c]],
    ids: [1, 3, 4],
    words: "(org_id = 'acme' AND region = 'eu') OR org_id = 'globex'",
  },
  { name: 'no filter', filters: [], ids: [1, 2, 3, 4, 5, 6], words: 'no filter (every row)' },
];

const keys = generateKeyPair('ES256');
const signer = createSigner({ privateKey: keys.privateKey, ttlInMinutes: 5 });
const verifier = createVerifier({ publicKey: keys.publicKey, profile: 'vizzly' });

/** The grant's filters for `orders` from a freshly minted data token. */
function grantFilters(filters) {
  const token = signer.signDataAccessToken({ dataSetIds: ['orders'], secureFilters: { orders: filters } });
  return { token, groups: verifier.authorize(token, { type: 'DATASOURCES:READ', resource: 'orders' }).secureFilters };
}

let pg;
let sqlite;

before(async () => {
  pg = new PGlite();
  await pg.exec(`CREATE TABLE orders (id int, org_id text, region text, amount int, created_at timestamptz, tags text[])`);
  for (const [id, org, region, amount, created, tags] of ROWS) {
    await pg.query('INSERT INTO orders VALUES ($1, $2, $3, $4, $5, $6)', [id, org, region, amount, created, tags]);
  }
  const SQL = await initSqlJs();
  sqlite = new SQL.Database();
  sqlite.run('CREATE TABLE orders (id INTEGER, org_id TEXT, region TEXT, amount INTEGER, created_at TEXT, tags TEXT)');
  for (const [id, org, region, amount, created, tags] of ROWS) {
    sqlite.run('INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)', [id, org, region, amount, created, JSON.stringify(tags)]);
  }
});

after(async () => {
  await pg?.close();
  sqlite?.close();
});

/** Ids selected by `WHERE amount > 0 AND <filters>`: the outer AND must bind to the whole filter. */
async function pgIds(filters, { prefix = 'amount > $1 AND ', prefixParams = [0] } = {}) {
  const { sql, params } = compileSecureFilters(filters, { dialect: 'postgres', paramOffset: prefixParams.length });
  const result = await pg.query(`SELECT id FROM orders WHERE ${prefix}${sql} ORDER BY id`, [...prefixParams, ...params]);
  return result.rows.map((row) => row.id);
}

function sqliteIds(filters, { prefix = 'amount > ? AND ', prefixParams = [0] } = {}) {
  const { sql, params } = compileSecureFilters(filters, { dialect: 'sqlite' });
  const rows = sqlite.exec(`SELECT id FROM orders WHERE ${prefix}${sql} ORDER BY id`, [...prefixParams, ...params]);
  return (rows[0]?.values ?? []).map(([id]) => id);
}

const positive = (ids) => ids.filter((id) => id !== 6);

describe('OR, AND and OR-of-AND select different rows, as Vizzly reads them', () => {
  for (const { name, filters, ids, words } of READINGS) {
    test(`${name} on PostgreSQL and SQLite, from the token to the rows`, async () => {
      // The compiled SQL, straight from the filters as written.
      assert.deepEqual(await pgIds(filters), positive(ids), 'postgres');
      assert.deepEqual(sqliteIds(filters), positive(ids), 'sqlite');
      // Without the outer condition: the reading alone.
      assert.deepEqual(await pgIds(filters, { prefix: '', prefixParams: [] }), ids, 'postgres, alone');
      assert.deepEqual(sqliteIds(filters, { prefix: '', prefixParams: [] }), ids, 'sqlite, alone');
      // Through a signed token and authorize: the grant means the same rows.
      const { token, groups } = grantFilters(filters);
      assert.ok(groups.every((group) => Array.isArray(group) && group.length > 0), 'an OR of AND-groups');
      assert.deepEqual(await pgIds(groups), positive(ids), 'postgres, from the grant');
      assert.deepEqual(sqliteIds(groups), positive(ids), 'sqlite, from the grant');
      // decode says in words what the database did.
      assert.equal(decode(token).profileInfo.secureFilters.orders, words);
    });
  }

  test('the three readings really differ on these rows', () => {
    const sets = READINGS.map((r) => JSON.stringify(r.ids));
    assert.equal(new Set(sets).size, sets.length);
  });

  test('the SQL has explicit parentheses around every group and the whole OR', () => {
    assert.equal(
      compileSecureFilters([[a, b], [c]], { dialect: 'postgres' }).sql,
      '(("org_id" = $1 AND "region" = $2) OR ("org_id" = $3))',
    );
    assert.equal(compileSecureFilters([a, b], { dialect: 'sqlite' }).sql, '((`org_id` = ?) OR (`region` = ?))');
  });
});

describe('every operator on both databases', () => {
  const cases = [
    [{ field: 'amount', op: '!=', value: 10 }, [2, 3, 4, 5, 6]],
    [{ field: 'amount', op: '>', value: 30 }, [4, 5]],
    [{ field: 'amount', op: '<', value: 20 }, [1, 6]],
    [{ field: 'amount', op: '>=', value: 30 }, [3, 4, 5]],
    [{ field: 'amount', op: '<=', value: 20 }, [1, 2, 6]],
    [{ field: 'created_at', op: '>=', value: '2024-04-01' }, [4, 5, 6]],
    [{ field: 'org_id', op: 'is_one_of', value: ['acme', 'initech'] }, [1, 2, 5, 6]],
    [{ field: 'org_id', op: 'is_not_one_of', value: ['acme', 'initech'] }, [3, 4]],
    [{ field: 'org_id', op: 'is_one_of', value: [] }, []],
    [{ field: 'org_id', op: 'is_not_one_of', value: [] }, [1, 2, 3, 4, 5, 6]],
    [{ field: 'org_id', op: 'starts_with', value: 'ac' }, [1, 2]],
    [{ field: 'org_id', op: 'ends_with', value: 'tech' }, [5, 6]],
    [{ field: 'org_id', op: 'contains_substring', value: 'lob' }, [3, 4]],
    [{ field: 'org_id', op: 'does_not_contain_substring', value: 'ac' }, [3, 4, 5, 6]],
    // A list field holding the value (the dashboard's array_contains).
    [{ field: 'tags', op: 'array_contains', value: 'public' }, [1, 4]],
    [{ field: 'tags', op: 'array_contains', value: 'eu' }, [1, 3, 6]],
    // LIKE metacharacters are literal.
    [{ field: 'org_id', op: 'contains_substring', value: '%' }, []],
    [{ field: 'org_id', op: 'starts_with', value: '_' }, []],
  ];
  for (const [filter, ids] of cases) {
    test(`${filter.field} ${filter.op} ${JSON.stringify(filter.value)}`, async () => {
      const none = { prefix: '', prefixParams: [] };
      assert.deepEqual(await pgIds([filter], none), ids, 'postgres');
      // SQLite stores dates as ISO text, which compares in the same order.
      assert.deepEqual(sqliteIds([filter], none), ids, 'sqlite');
    });
  }

  test('hostile values match nothing', async () => {
    for (const value of ["acme' OR '1'='1", "' OR 1=1 --", '"; DROP TABLE orders; --']) {
      const filters = [{ field: 'org_id', op: '=', value }];
      assert.deepEqual(await pgIds(filters), []);
      assert.deepEqual(sqliteIds(filters), []);
    }
    assert.equal((await pg.query('SELECT count(*)::int AS n FROM orders')).rows[0].n, ROWS.length);
  });
});

describe('SQLite identifiers can never be read as string literals', () => {
  test('a filter on a missing column is an error, not every row', () => {
    const { sql, params } = compileSecureFilters([{ field: 'tenant_id', op: '!=', value: 'x' }], { dialect: 'sqlite' });
    assert.equal(sql, '(`tenant_id` <> ?)');
    assert.throws(() => sqlite.exec(`SELECT id FROM orders WHERE ${sql}`, params), /no such column: tenant_id/);
    // Why: the same condition with a double-quoted name is a string comparison in SQLite.
    const quoted = sqlite.exec('SELECT id FROM orders WHERE "tenant_id" <> ?', params);
    assert.equal(quoted[0].values.length, ROWS.length);
  });

  test('table.column and array_contains also refer to columns only', () => {
    const { sql } = compileSecureFilters([{ field: 'orders.missing', op: 'array_contains', value: 'x' }], { dialect: 'sqlite' });
    assert.throws(() => sqlite.exec(`SELECT id FROM orders WHERE ${sql}`, ['x']), /no such column/);
  });

  test('on PostgreSQL too, a missing column is an error', async () => {
    const { sql, params } = compileSecureFilters([{ field: 'tenant_id', op: '!=', value: 'x' }], { dialect: 'postgres' });
    await assert.rejects(pg.query(`SELECT id FROM orders WHERE ${sql}`, params), /tenant_id/);
  });
});

describe('values that vanish or change meaning are refused', () => {
  for (const [label, value] of [['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY], ['undefined', undefined], ['null', null]]) {
    test(`${label} is never a filter value (never IS NULL)`, () => {
      const filter = { field: 'org_id', op: '=', value };
      assert.throws(() => signer.signDataAccessToken({ dataSetIds: ['orders'], secureFilters: { orders: [filter] } }), {
        code: 'ERR_INVALID_OPTION',
      });
      assert.throws(() => compileSecureFilters([filter], { dialect: 'postgres' }), { code: 'ERR_INVALID_OPTION' });
    });
  }
});

// Issue 11 and https://docs.vizzly.co/identity/properties/secure-filters ("You
// must define filters for each data set the user has access to").
describe('a "*" token with filters for some data sets', () => {
  const token = signer.signDataAccessToken({ dataSetIds: '*', secureFilters: { orders: [[a]] } });
  const read = (resource, v = verifier) => v.authorize(token, { type: 'DATASOURCES:READ', resource });

  test('the filtered data set carries its filters', async () => {
    assert.deepEqual(await pgIds(read('orders').secureFilters), [1, 2]);
  });

  test('look-alike ids are refused instead of reading unfiltered', () => {
    for (const id of ['Orders', 'orders ', ' orders', 'orders\u200b', '\u200borders', '\u043erders', 'orders\u00ad']) {
      assert.throws(() => read(id), { code: 'ERR_SCOPE_DENIED' }, JSON.stringify(id));
    }
  });

  test('allowUnfilteredDataSets opts in, explicitly', () => {
    const lenient = createVerifier({ publicKey: keys.publicKey, profile: 'vizzly', allowUnfilteredDataSets: true });
    assert.deepEqual(read('products', lenient).secureFilters, []);
    assert.throws(() => read('orders\u200b', lenient), { code: 'ERR_SCOPE_DENIED' });
  });

  test('an empty filters map means every data set is unfiltered by intent', () => {
    const open = signer.signDataAccessToken({ dataSetIds: '*', secureFilters: {} });
    assert.deepEqual(verifier.authorize(open, { type: 'DATASOURCES:READ', resource: 'anything' }).secureFilters, []);
  });
});
