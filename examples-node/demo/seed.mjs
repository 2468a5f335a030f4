// Deterministic demo data: the same seed gives the same orders on every run and
// on every database, so tests and the tour can rely on exact org/user layouts.
import { ORG_MEMBERS } from './users.mjs';

export const ORDER_COUNT = 3000;
const STATUSES = ['paid', 'paid', 'paid', 'paid', 'pending', 'refunded', 'cancelled'];
const YEAR_START = Date.UTC(2024, 0, 1);
const YEAR_MS = 366 * 24 * 3600e3; // 2024 is a leap year

/** mulberry32: a tiny seeded PRNG; Math.random cannot be seeded. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Columns as parallel arrays, ready for one `INSERT … SELECT * FROM unnest(…)`. */
export function generateOrders(count = ORDER_COUNT, seed = 20240101) {
  const random = prng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const orgs = Object.keys(ORG_MEMBERS);
  const columns = { id: [], org_id: [], user_id: [], amount: [], status: [], created_at: [] };
  for (let i = 1; i <= count; i += 1) {
    const org = pick(orgs);
    columns.id.push(i);
    columns.org_id.push(org);
    columns.user_id.push(pick(ORG_MEMBERS[org]));
    columns.amount.push((5 + random() * 495).toFixed(2));
    columns.status.push(pick(STATUSES));
    // Whole seconds: Tinybird DateTime has no fractions.
    columns.created_at.push(new Date(YEAR_START + Math.floor(random() * YEAR_MS / 1000) * 1000).toISOString());
  }
  return columns;
}
