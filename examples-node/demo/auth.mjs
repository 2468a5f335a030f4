// Pipe-endpoint authorisation: where the token comes from, who checks it
// (scopemint's verifier.authorize), which budget it draws from
// (createRateLimiter: memory, or Redis shared by every instance), and how
// failures map to HTTP.
import { createRateLimiter, createVerifier, TokenError } from 'scopemint';

/** The pipe verifier: the workspace admin token is the HS256 secret. */
export function createPipeVerifier(adminToken) {
  const verifier = createVerifier({ secret: adminToken });
  if (typeof verifier.authorize !== 'function') {
    throw new Error('this scopemint build has no verifier.authorize: rebuild the package with `make pkg`');
  }
  return verifier;
}

/**
 * The limiter for tokens' limits.rps: with a Redis URL every instance of the
 * app shares one budget per token name; without, each process counts alone.
 * Returns { limiter, close }.
 */
export async function createPipeLimiter(redisUrl) {
  if (!redisUrl) return { limiter: createRateLimiter(), close: async () => {} };
  const { default: Redis } = await import('ioredis');
  // One retry per command, then the limiter's timeout answers (fail closed: 503).
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let reported = false;
  redis.on('error', (error) => {
    if (!reported) console.error(`demo: redis: ${error.message} (requests with limits.rps get 503 until it answers)`);
    reported = true;
  });
  redis.on('ready', () => (reported = false));
  return { limiter: createRateLimiter({ redis }), close: async () => redis.disconnect() };
}

/** X-RateLimit-* for a consumed request: what the token's budget still holds. */
export function rateLimitHeaders(usage) {
  if (usage === null) return {};
  return { 'x-ratelimit-limit': String(usage.limit), 'x-ratelimit-remaining': String(usage.remaining) };
}

/** Like Tinybird: `Authorization: Bearer <token>`, or `?token=` for links and EventSource. */
export function tokenFrom(req, url) {
  const header = req.headers.authorization;
  if (header !== undefined) return /^Bearer +(\S+)\s*$/i.exec(header)?.[1] ?? null;
  return url.searchParams.get('token');
}

// Expired reads as "forbidden" (Tinybird answers 403): the token was genuine.
// ERR_INVALID_OPTION is about the request we built, not the token. A limiter
// store that cannot answer is the service's fault: 503, and the request is refused.
const STATUS = { ERR_SCOPE_DENIED: 403, ERR_JWT_EXPIRED: 403, ERR_RATE_LIMITED: 429, ERR_INVALID_OPTION: 400, ERR_RATE_LIMIT_UNAVAILABLE: 503 };

/**
 * { status, body, headers } for a failed authorize() or consume(); null when it
 * is not a token error. `grant` (if known) gives a 429 its X-RateLimit-Limit.
 */
export function authFailure(error, grant) {
  if (!(error instanceof TokenError) && error?.name !== 'TokenError') return null;
  const status = STATUS[error.code] ?? 401; // malformed, tampered, wrong alg, bad claims: not authenticated
  const headers = {};
  if (status === 401) headers['www-authenticate'] = 'Bearer error="invalid_token"';
  if (status === 429) {
    // retryAfter is whole seconds, at least 1 (Retry-After takes integers).
    headers['retry-after'] = String(error.retryAfter);
    if (grant?.rateLimit) headers['x-ratelimit-limit'] = String(grant.rateLimit.rps);
    headers['x-ratelimit-remaining'] = '0';
  }
  return { status, headers, body: { error: error.message, code: error.code } };
}
