// The pipes (Tinybird's name for a parameterised SQL endpoint). Each declares
// its parameters, output columns and one SQL text with $n placeholders: values
// are only ever bound, never spliced into SQL.
import { ORDERS_TABLE } from './db.mjs';

export class ParamError extends Error {
  constructor(name, message) {
    super(`[Error] Invalid value for param '${name}': ${message}`);
    this.code = 'ERR_PARAM_INVALID';
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parsers from a param value (query-string text or a fixed_params value) to a bound value. */
const TYPES = {
  String(name, value) {
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || text.length > 100) throw new ParamError(name, 'expected a String of up to 100 characters');
    return text;
  },
  Int32(name, value) {
    const text = String(value);
    if (!/^-?\d{1,10}$/.test(text)) throw new ParamError(name, 'expected an Int32');
    const number = Number(text);
    if (number < -(2 ** 31) || number >= 2 ** 31) throw new ParamError(name, 'out of Int32 range');
    return number;
  },
  Date(name, value) {
    const match = DATE.exec(String(value));
    const date = match && new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    // Date.UTC rolls 2024-02-31 over into March; refuse it rather than guess.
    if (!date || date.getUTCDate() !== +match[3] || date.getUTCMonth() !== +match[2] - 1) {
      throw new ParamError(name, 'expected a Date like 2024-01-31');
    }
    return date;
  },
};

const CREATED_AT = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`;

export const PIPES = {
  user_orders: {
    description: "The caller's own orders, newest first.",
    // `tenant` params isolate one customer's rows: they must come from the token's
    // fixed_params, never from the query string (see server.mjs).
    params: {
      org_id: { type: 'String', tenant: true },
      user_id: { type: 'Int32', tenant: true },
      start_date: { type: 'Date' },
      end_date: { type: 'Date' },
      limit: { type: 'Int32', default: 100, min: 1, max: 1000 },
    },
    meta: [
      { name: 'id', type: 'Int32' },
      { name: 'org_id', type: 'String' },
      { name: 'user_id', type: 'Int32' },
      { name: 'amount', type: 'Float64' },
      { name: 'status', type: 'String' },
      { name: 'created_at', type: 'DateTime' },
    ],
    query: (p) => ({
      text: `SELECT id, org_id, user_id, amount::float8 AS amount, status, ${CREATED_AT} AS created_at
        FROM ${ORDERS_TABLE}
        WHERE org_id = $1 AND user_id = $2
          AND ($3::timestamptz IS NULL OR created_at >= $3::timestamptz)
          AND ($4::timestamptz IS NULL OR created_at < $4::timestamptz)
        ORDER BY created_at DESC, id DESC
        LIMIT $5`,
      // end_date is inclusive: compare against the start of the next day.
      values: [p.org_id, p.user_id, p.start_date?.toISOString() ?? null, p.end_date ? new Date(+p.end_date + 86400e3).toISOString() : null, p.limit],
    }),
  },
  org_summary: {
    description: 'Order count and revenue per member of the caller’s organisation.',
    params: { org_id: { type: 'String', tenant: true } },
    meta: [
      { name: 'org_id', type: 'String' },
      { name: 'user_id', type: 'Int32' },
      { name: 'orders', type: 'Int32' },
      { name: 'paid_amount', type: 'Float64' },
      { name: 'last_order_at', type: 'DateTime' },
    ],
    query: (p) => ({
      // Casts keep both drivers' output JSON-native (pg returns bigint/numeric as strings).
      text: `SELECT org_id, user_id, count(*)::int AS orders,
          coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0)::float8 AS paid_amount,
          to_char(max(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS last_order_at
        FROM ${ORDERS_TABLE}
        WHERE org_id = $1
        GROUP BY org_id, user_id
        ORDER BY user_id`,
      values: [p.org_id],
    }),
  },
};

/**
 * Turns the authorised params (fixed params already merged in by
 * verifier.authorize) into typed values; unknown params are ignored, as Tinybird does.
 */
export function bindParams(pipe, params) {
  const bound = {};
  for (const [name, spec] of Object.entries(pipe.params)) {
    const raw = params[name];
    if (raw === undefined || raw === '') {
      if (spec.tenant) throw new ParamError(name, 'required');
      bound[name] = spec.default;
      continue;
    }
    const value = TYPES[spec.type](name, raw);
    if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
      throw new ParamError(name, `must be between ${spec.min} and ${spec.max}`);
    }
    bound[name] = value;
  }
  return bound;
}
