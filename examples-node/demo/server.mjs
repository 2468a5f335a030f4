// The demo: a multi-tenant analytics service. Users log in (POST /api/token)
// and get a Tinybird JWT whose fixed_params pin their organisation; the
// Tinybird-compatible pipe endpoint (GET /v0/pipes/<pipe>.json) lets
// scopemint's verifier.authorize decide what each request may read. The Vizzly
// data token's secure filters are enforced the same way on GET /api/vizzly/orders.
//
//   node examples-node/demo/server.mjs                 # embedded PGlite, random secrets
//   DATABASE_URL=postgres://… PORT=8080 node examples-node/demo/server.mjs
//   REDIS_URL=redis://127.0.0.1:6379 node examples-node/demo/server.mjs   # limits.rps shared by every instance
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { compileSecureFilters, createSigner, createVerifier, decode, generateKeyPair } from 'scopemint';
import { authFailure, createPipeLimiter, createPipeVerifier, rateLimitHeaders, tokenFrom } from './auth.mjs';
import { openDatabase, ORDERS_TABLE } from './db.mjs';
import { bindParams, PIPES } from './pipes.mjs';
import { serveStatic } from './static.mjs';
import { createTokenMinter } from './tokens.mjs';
import { DEMO_USERS, findUser, ORGS } from './users.mjs';

const PIPE_PATH = /^\/v0\/pipes\/([A-Za-z0-9_]+)\.json$/;
const MAX_BODY = 4096;

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > MAX_BODY) return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Opens the database and builds the server without listening.
 * Options (all optional): databaseUrl, adminToken (≥ 32 bytes), vizzlyPrivateKey,
 * workspaceId, ttlSeconds (token lifetime), rps (limits.rps in minted tokens),
 * verifier (anything with authorize(); defaults to scopemint's), redisUrl (share
 * limits.rps budgets with every instance on that Redis; default REDIS_URL, else memory).
 */
export async function createApp({
  databaseUrl = process.env.DATABASE_URL,
  adminToken = randomBytes(48).toString('base64url'),
  vizzlyPrivateKey = generateKeyPair('ES256').privateKey,
  workspaceId = 'ws_scopemint_demo',
  vizzlyProjectId = 'prj_scopemint_demo',
  ttlSeconds = 15 * 60,
  rps = 5,
  verifier = createPipeVerifier(adminToken),
  redisUrl = process.env.REDIS_URL,
} = {}) {
  const mint = createTokenMinter({ adminToken, workspaceId, vizzlyPrivateKey, vizzlyProjectId, ttlSeconds, rps });
  const db = await openDatabase({ url: databaseUrl });
  const { limiter, close: closeLimiter } = await createPipeLimiter(redisUrl);
  const vizzlyVerifier = createVerifier({
    publicKey: createSigner({ privateKey: vizzlyPrivateKey }).publicKey(),
    profile: 'vizzly',
  });

  // A Vizzly-style data endpoint: the data token's secure filters for `orders`,
  // read as Vizzly reads them (OR of AND-groups), become the WHERE clause.
  async function vizzlyOrders(req, res, url) {
    const token = tokenFrom(req, url);
    if (!token) {
      return send(res, 401, { error: 'missing token: send Authorization: Bearer <dataAccessToken>', code: 'ERR_TOKEN_MISSING' }, { 'www-authenticate': 'Bearer' });
    }
    let grant;
    try {
      grant = vizzlyVerifier.authorize(token, { type: 'DATASOURCES:READ', resource: 'orders' });
    } catch (error) {
      const failure = authFailure(error);
      if (failure === null) throw error;
      return send(res, failure.status, failure.body, failure.headers);
    }
    const { sql, params } = compileSecureFilters(grant.secureFilters, { dialect: 'postgres' });
    const data = await db.query(
      `SELECT org_id, status, count(*)::int AS orders FROM ${ORDERS_TABLE} WHERE ${sql} GROUP BY org_id, status ORDER BY org_id, status`,
      params,
    );
    send(res, 200, { filters: decode(token).profileInfo?.secureFilters?.orders ?? null, data, rows: data.length });
  }

  async function pipe(req, res, url, name) {
    // Pipe names are not secret (they are in the page): an unknown one is a plain 404.
    const definition = PIPES[name];
    if (definition === undefined) return send(res, 404, { error: `pipe '${name}' not found`, code: 'ERR_PIPE_NOT_FOUND' });
    const token = tokenFrom(req, url);
    if (!token) {
      return send(res, 401, { error: 'missing token: send Authorization: Bearer <token> or ?token=', code: 'ERR_TOKEN_MISSING' }, { 'www-authenticate': 'Bearer' });
    }
    // Only the pipe's own params go on (Tinybird ignores the rest); this also drops
    // `token`, and names authorize() would refuse as malformed (e.g. `utm-source`).
    const params = {};
    for (const [key, value] of url.searchParams) if (Object.hasOwn(definition.params, key)) params[key] = value;
    let grant;
    let usage;
    try {
      grant = verifier.authorize(token, { type: 'PIPES:READ', resource: name, params });
      usage = await limiter.consume(grant);
    } catch (error) {
      const failure = authFailure(error, grant);
      if (failure === null) throw error;
      return send(res, failure.status, failure.body, failure.headers);
    }
    // Tenant params must be pinned by the token: a scope minted without them
    // would otherwise let the query string pick any organisation.
    const fixed = fixedParams(grant.claims, name);
    const unpinned = Object.keys(definition.params).filter((p) => definition.params[p].tenant && !(p in fixed));
    if (unpinned.length > 0) {
      return send(res, 403, { error: `token does not fix ${unpinned.join(', ')} for pipe '${name}'`, code: 'ERR_SCOPE_DENIED' });
    }
    let bound;
    try {
      bound = bindParams(definition, grant.params);
    } catch (error) {
      if (error.code !== 'ERR_PARAM_INVALID') throw error;
      return send(res, 400, { error: error.message, code: error.code });
    }
    const started = performance.now();
    const { text, values } = definition.query(bound);
    const data = await db.query(text, values);
    const bytes = Buffer.byteLength(JSON.stringify(data));
    send(res, 200, {
      meta: definition.meta,
      data,
      rows: data.length,
      // Postgres does not report scanned rows per query cheaply; these describe the result.
      statistics: { elapsed: (performance.now() - started) / 1000, rows_read: data.length, bytes_read: bytes },
    }, {
      // Not in Tinybird's body shape, so reported in a header: which query params the token overrode.
      'x-scopemint-overridden': (grant.overridden ?? []).join(','),
      ...rateLimitHeaders(usage),
    });
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://localhost');
    const pipeName = PIPE_PATH.exec(url.pathname)?.[1];
    if (pipeName !== undefined) {
      if (req.method !== 'GET') return send(res, 405, { error: 'use GET', code: 'ERR_METHOD' });
      return pipe(req, res, url, pipeName);
    }
    if (url.pathname.startsWith('/v0/')) return send(res, 404, { error: 'not found', code: 'ERR_PIPE_NOT_FOUND' });
    if (url.pathname === '/api/token') {
      if (req.method !== 'POST') return send(res, 405, { error: 'use POST', code: 'ERR_METHOD' });
      const body = await readJson(req);
      const user = typeof body?.user === 'string' ? findUser(body.user) : undefined;
      if (user === undefined) return send(res, 400, { error: 'unknown user: send {"user": "alice"}', code: 'ERR_UNKNOWN_USER' });
      return send(res, 200, mint(user));
    }
    if (url.pathname === '/api/vizzly/orders') {
      if (req.method !== 'GET') return send(res, 405, { error: 'use GET', code: 'ERR_METHOD' });
      return vizzlyOrders(req, res, url);
    }
    if (url.pathname === '/api/users') {
      // Public demo directory for the page's picker: no secrets in it.
      return send(res, 200, { users: DEMO_USERS, orgs: ORGS, pipes: Object.keys(PIPES) });
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && (await serveStatic(req, res, url))) return undefined;
    return send(res, 404, { error: 'not found', code: 'ERR_NOT_FOUND' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      // Details stay in the server log; clients get a generic message.
      console.error('demo: request failed:', error);
      if (!res.headersSent) send(res, 500, { error: 'internal error', code: 'ERR_INTERNAL' });
      else res.destroy();
    });
  });

  let closed = false;
  return {
    server,
    db,
    /** 'memory' or 'redis': where limits.rps budgets are counted. */
    rateLimitBackend: limiter.backend,
    /** Mints a user's tokens directly (the tour uses it for a short-lived token). */
    mint: (login, options) => mint(findUser(login), options),
    async listen(port = 0, host = '127.0.0.1') {
      server.listen(port, host);
      await once(server, 'listening');
      return `http://${host}:${server.address().port}`;
    },
    /** Stops the server and the database; safe to call twice. */
    async close() {
      if (closed) return;
      closed = true;
      if (server.listening) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await closeLimiter();
      await db.close();
    },
  };
}

/** The fixed_params of the token's scope for this pipe. */
function fixedParams(claims, pipeName) {
  const scope = (claims?.scopes ?? []).find((s) => s.type === 'PIPES:READ' && s.resource === pipeName);
  return scope?.fixed_params ?? {};
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const app = await createApp({ adminToken: process.env.ADMIN_TOKEN || undefined });
  const url = await app.listen(Number(process.env.PORT ?? 0));
  console.log(`scopemint demo (${app.db.kind}, rate limits in ${app.rateLimitBackend}): ${url}/`);
  console.log(`  pipes: ${url}/v0/pipes/user_orders.json, ${url}/v0/pipes/org_summary.json`);
  console.log(`  users: ${DEMO_USERS.map((u) => `${u.login} (${u.orgId})`).join(', ')}`);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
