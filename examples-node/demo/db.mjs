// One small interface over two drivers: embedded PGlite (default) or a real
// PostgreSQL server through `pg` when DATABASE_URL is set. Both expose
// query(text, params) with $n placeholders, so pipe code is identical.
import { generateOrders } from './seed.mjs';

// Own schema, so pointing DATABASE_URL at a real database never touches an
// existing `orders` table.
export const ORDERS_TABLE = 'scopemint_demo.orders';

async function createSchema(conn) {
  await conn.query('CREATE SCHEMA IF NOT EXISTS scopemint_demo');
  await conn.query(`DROP TABLE IF EXISTS ${ORDERS_TABLE}`);
  await conn.query(`CREATE TABLE ${ORDERS_TABLE} (
    id integer PRIMARY KEY,
    org_id text NOT NULL,
    user_id integer NOT NULL,
    amount numeric(10, 2) NOT NULL,
    status text NOT NULL,
    created_at timestamptz NOT NULL
  )`);
  const c = generateOrders();
  // One parameterised statement for all rows: arrays in, rows out.
  await conn.query(
    `INSERT INTO ${ORDERS_TABLE} (id, org_id, user_id, amount, status, created_at)
     SELECT * FROM unnest($1::integer[], $2::text[], $3::integer[], $4::numeric[], $5::text[], $6::timestamptz[])`,
    [c.id, c.org_id, c.user_id, c.amount, c.status, c.created_at],
  );
  await conn.query(`CREATE INDEX ON ${ORDERS_TABLE} (org_id, user_id, created_at)`);
}

/**
 * Opens and seeds the database. `url`: a postgres:// URL, or undefined for an
 * in-memory PGlite. Returns { kind, query(text, params) -> rows, close() }.
 */
export async function openDatabase({ url } = {}) {
  if (url) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, max: 5 });
    const client = await pool.connect();
    try {
      // A transaction so concurrent readers never see a half-seeded table.
      await client.query('BEGIN');
      await createSchema(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      await pool.end();
      throw error;
    } finally {
      client.release();
    }
    return {
      kind: 'postgres',
      query: async (text, params) => (await pool.query(text, params)).rows,
      close: () => pool.end(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  await db.transaction((tx) => createSchema(tx));
  return {
    kind: 'pglite',
    query: async (text, params) => (await db.query(text, params)).rows,
    close: () => db.close(),
  };
}
