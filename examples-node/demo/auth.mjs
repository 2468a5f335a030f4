// Pipe-endpoint authorisation: where the token comes from, who checks it
// (scopemint's verifier.authorize), and how its failures map to HTTP.
import { createVerifier, TokenError } from 'scopemint';

/** The pipe verifier: the workspace admin token is the HS256 secret; limits.rps is enforced per token. */
export function createPipeVerifier(adminToken) {
  const missing = new Error('this scopemint build has no verifier.authorize (or enforceRateLimits): rebuild the package with `make pkg`');
  let verifier;
  try {
    verifier = createVerifier({ secret: adminToken, enforceRateLimits: true });
  } catch (error) {
    // An older package refuses the option outright; say what to do instead.
    if (error.code === 'ERR_INVALID_OPTION' && /enforceRateLimits/.test(error.message)) throw missing;
    throw error;
  }
  if (typeof verifier.authorize !== 'function') throw missing;
  return verifier;
}

/** Like Tinybird: `Authorization: Bearer <token>`, or `?token=` for links and EventSource. */
export function tokenFrom(req, url) {
  const header = req.headers.authorization;
  if (header !== undefined) return /^Bearer +(\S+)\s*$/i.exec(header)?.[1] ?? null;
  return url.searchParams.get('token');
}

// Expired reads as "forbidden" (Tinybird answers 403): the token was genuine.
// ERR_INVALID_OPTION is about the request we built, not the token.
const STATUS = { ERR_SCOPE_DENIED: 403, ERR_JWT_EXPIRED: 403, ERR_RATE_LIMITED: 429, ERR_INVALID_OPTION: 400 };

/** { status, body, headers } for a failed authorize(); null when it is not a token error. */
export function authFailure(error) {
  if (!(error instanceof TokenError) && error?.name !== 'TokenError') return null;
  const status = STATUS[error.code] ?? 401; // malformed, tampered, wrong alg, bad claims: not authenticated
  const headers = {};
  if (status === 401) headers['www-authenticate'] = 'Bearer error="invalid_token"';
  if (status === 429) headers['retry-after'] = String(retryAfterSeconds(error));
  return { status, headers, body: { error: error.message, code: error.code } };
}

/** Whole seconds, at least 1 (Retry-After takes integers). */
function retryAfterSeconds(error) {
  const value = error.retryAfter ?? error.retryAfterSeconds;
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : 1;
}
