// Types for scopemint. Hand-written to match src/ (sign.rs, verify.rs, decode.rs, error.rs).

/** Algorithms scopemint signs and verifies. `none` is never one of them. */
export type Algorithm =
  | 'HS256' | 'HS384' | 'HS512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'ES256' | 'ES384'
  | 'EdDSA';

/** Algorithms `generateKeyPair` can create keys for. */
export type KeyPairAlgorithm = 'ES256' | 'ES384' | 'EdDSA';

/** Stable error codes carried by every `TokenError`. */
export type ErrorCode =
  | 'ERR_JWT_MALFORMED'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_NOT_YET_VALID'
  | 'ERR_JWT_CLAIM_INVALID'
  | 'ERR_JWS_SIGNATURE_INVALID'
  | 'ERR_JOSE_ALG_NOT_ALLOWED'
  | 'ERR_JOSE_HEADER_UNSUPPORTED'
  | 'ERR_KEY_INVALID'
  | 'ERR_JWKS_NO_MATCHING_KEY'
  | 'ERR_JWKS_FETCH_FAILED'
  | 'ERR_JWKS_TIMEOUT'
  | 'ERR_JWKS_INVALID'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_INVALID_OPTION'
  | 'ERR_SCOPE_INVALID'
  | 'ERR_SCOPE_DENIED'
  | 'ERR_RATE_LIMITED'
  | 'ERR_RATE_LIMIT_UNAVAILABLE'
  | 'ERR_FILTER_INVALID'
  | 'ERR_FILTER_UNCHECKED'
  | 'ERR_TEMPLATE_INVALID'
  /** The system clock (`Date.now()`) is NaN, infinite, before 2020 or past year 5138: nothing time-dependent is decided. */
  | 'ERR_CLOCK_INVALID'
  | 'ERR_EMBEDDABLE_HTTP'
  | 'ERR_EMBEDDABLE_TIMEOUT'
  | 'ERR_EMBEDDABLE_NETWORK'
  | 'ERR_EMBEDDABLE_RESPONSE_INVALID';

/**
 * The longest lifetime a minted token may have, in every profile: 3650 days (315,360,000 s).
 * A TTL (`ttlInMinutes`, `ttlSeconds`, `expiryInSeconds`) or an expiry (`expiresAt`, an `exp`
 * claim) further than this from the signing time throws `ERR_INVALID_OPTION`.
 */
export type MaxLifetimeSeconds = 315_360_000;

/**
 * Thrown by every function. Every object passed in (claims, options, scopes, filters, requests,
 * security contexts) that holds `undefined`, `NaN`, `±Infinity`, a function, a symbol, a BigInt,
 * an invalid `Date`, a `Map` or a `Set` anywhere is refused with `ERR_INVALID_OPTION` and `claim`
 * set to the field's path (e.g. `scopes[0].fixed_params.org_id`): JSON would drop or change
 * them. Leave an optional field out rather than setting it to `undefined`.
 */
export class TokenError extends Error {
  readonly name: 'TokenError';
  readonly code: ErrorCode;
  /** The claim or option involved, when there is one (e.g. `'exp'`, `'aud'`, `'ttlSeconds'`). */
  readonly claim?: string;
  /** Whole seconds (at least 1) until a rate-limited call may succeed (`ERR_RATE_LIMITED` only). */
  readonly retryAfter?: number;
  /** The HTTP status Embeddable's Tokens API answered with (`ERR_EMBEDDABLE_HTTP`, `ERR_EMBEDDABLE_RESPONSE_INVALID`). */
  readonly status?: number;
  /**
   * One class for every entry (`scopemint`, `scopemint/server`, `scopemint/decode`, …), so
   * `instanceof TokenError` holds whichever entry threw. Constructing one is for tests and
   * adapters that rethrow; the library fills `claim` and `retryAfter` where they apply.
   */
  constructor(code: ErrorCode, message: string, claim?: string, retryAfter?: number);
}

export interface Jwk {
  kty: 'RSA' | 'EC' | 'OKP' | (string & {});
  kid?: string;
  alg?: string;
  use?: string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  d?: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
  [member: string]: unknown;
}

export interface PublicJwk extends Jwk {
  alg: Algorithm;
  use: 'sig';
}

export interface Jwks {
  keys: Jwk[];
}

/** An instant: a `Date`, Unix seconds, or an ISO-8601 string with a time zone. */
export type Instant = Date | number | string;

/** HMAC secret: a string (its UTF-8 bytes), bytes, a secret `KeyObject` or an extractable HMAC `CryptoKey`. */
export type Secret = string | Uint8Array | ArrayBuffer | KeyObjectLike | CryptoKeyLike;

/** A Node `KeyObject` (node:crypto), read once when the signer or verifier is created. */
export interface KeyObjectLike {
  readonly type: 'private' | 'public' | 'secret';
  export(options?: object): unknown;
  equals(other: never): boolean;
}

/**
 * A WebCrypto `CryptoKey`. It must be extractable (a non-extractable key is `ERR_KEY_INVALID`), and is
 * read synchronously by the Node entry only; elsewhere pass `await crypto.subtle.exportKey('jwk', key)`.
 */
export interface CryptoKeyLike {
  readonly type: 'private' | 'public' | 'secret';
  readonly extractable: boolean;
  readonly algorithm: object;
  readonly usages: readonly string[];
}

interface SignerCommonOptions {
  /** Defaults to the key's algorithm: HS256 for secrets, RS256 for RSA, ES256/ES384 by curve, EdDSA for Ed25519. */
  algorithm?: Algorithm;
  /** Header `kid`; defaults to the JWK's `kid`. */
  keyId?: string;
  /** Default lifetime of tokens, in minutes (at most 3650 days, see {@link MaxLifetimeSeconds}). Give this or `ttlSeconds`, not both. */
  ttlInMinutes?: number;
  /** Default lifetime of tokens, in seconds: at least 1, at most 315,360,000 ({@link MaxLifetimeSeconds}). */
  ttlSeconds?: number;
  /** Default `iss` claim. */
  issuer?: string;
  /** Default `sub` claim. */
  subject?: string;
  /** Default `aud` claim. */
  audience?: string | string[];
  /** Header `typ`. Default `'JWT'`. */
  typ?: string;
  /** Permit tokens without `exp` when no TTL and no `expiresAt` is given. Default `false`: such a sign call throws. */
  allowMissingExpiry?: boolean;
  /** Tinybird workspace id, used by `createJWT`. */
  workspaceId?: string;
}

export type SignerOptions = SignerCommonOptions &
  (
    | { /** PEM (PKCS#8, SEC1 `EC PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`), a private JWK, a private `KeyObject` or an extractable private `CryptoKey`. */ privateKey: string | Jwk | KeyObjectLike | CryptoKeyLike; secret?: never }
    | { /** HMAC secret, at least as long as the hash (32/48/64 bytes). */ secret: Secret; privateKey?: never }
  );

export interface SignOptions {
  /** Sets `exp`; conflicts with an `exp` claim. At most {@link MaxLifetimeSeconds} after now; an invalid `Date` throws. */
  expiresAt?: Instant;
  /** Sets `nbf`; conflicts with an `nbf` claim. */
  notBefore?: Instant;
  /** `true` for a random UUID v4, or the id. Conflicts with a `jti` claim. */
  jti?: true | string;
  /** Sets `sub`; conflicts with a `sub` claim. */
  subject?: string;
  /** Sets `aud`; conflicts with an `aud` claim. */
  audience?: string | string[];
  /** Sets `iss`; conflicts with an `iss` claim. */
  issuer?: string;
  /** Extra protected header members. `alg`, `crit`, `b64`, `jku`, `x5u`, `jwk`, `x5c` cannot be set. */
  header?: { kid?: string; typ?: string; cty?: string; [member: string]: unknown };
}

export interface JwtHeader {
  alg: Algorithm;
  typ?: string;
  kid?: string;
  [member: string]: unknown;
}

export interface JwtPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

export interface Signer {
  readonly algorithm: Algorithm;
  readonly keyId: string | undefined;
  /** Signs the claims into a compact JWT. Adds `iat`, and `exp` from the TTL unless given. Synchronous. */
  sign(claims: Record<string, unknown>, options?: SignOptions): string;
  /**
   * `sign` as a Promise: the same token and the same errors (rejections, never a synchronous throw).
   * Outside Node the signature is computed by WebCrypto (`crypto.subtle`), with the key imported
   * once when the signer is created; keys WebCrypto cannot take (Ed25519 in some runtimes) and
   * HMAC secrets sign in WebAssembly. In Node and Bun it wraps `sign` (node:crypto).
   */
  signAsync(claims: Record<string, unknown>, options?: SignOptions): Promise<string>;
  /** The public key as a JWK (asymmetric signers only; throws `ERR_KEY_INVALID` for HMAC). */
  publicJwk(): PublicJwk;
  /** `{ keys: [publicJwk()] }`, ready to serve as a JWKS. */
  jwks(): { keys: PublicJwk[] };
  /** The public key as SPKI PEM. */
  publicKey(): string;

  /** Vizzly dashboard access token (ES256 signers with `ttlInMinutes`). */
  signDashboardAccessToken(params: VizzlyDashboardParams): string;
  /** Vizzly data access token: data sets and secure filters. */
  signDataAccessToken(params: VizzlyDataParams): string;
  /** Vizzly query-engine (Config Manager) access token. */
  signQueryEngineAccessToken(params: VizzlyQueryEngineParams): string;
  /** Vizzly project access token (`{projectId, resources}`), e.g. to let the query engine save configs. */
  signProjectAccessToken(params: VizzlyProjectParams): string;
  /** All Vizzly tokens for one flat identity config, as the identity endpoint returns them. */
  generateTokens(identityConfig: VizzlyIdentityConfig): VizzlyTokens;
  /** A signed Vizzly config for the query engine's config header. */
  signVizzlyConfig(config: Record<string, unknown>): string;
  /** Tinybird JWT, minted locally (HS256 signer whose `secret` is the workspace admin token). */
  /**
   * Mints a Tinybird JWT. A scope `filter` is checked by `scopemint/server`'s SQL parser
   * (`ERR_FILTER_INVALID`); the `scopemint` entry cannot check one and throws `ERR_FILTER_UNCHECKED`.
   */
  createJWT(params: TinybirdJwtParams): { token: string };
  /** Embeddable-style self-issued security token. */
  signSecurityToken(params: EmbeddableSecurityTokenParams): { token: string };
}

// ---- Vendor profiles -------------------------------------------------------

/** Operators whose value is one string, number or boolean (`array_contains`: an element of a list field). */
export type VizzlyScalarOperator = '=' | '!=' | 'array_contains';
/** Operators for number and date fields: a number or an ISO-8601 date string. */
export type VizzlyOrderedOperator = '>' | '<' | '>=' | '<=';
export type VizzlyListOperator = 'is_one_of' | 'is_not_one_of';
export type VizzlyTextOperator = 'starts_with' | 'ends_with' | 'contains_substring' | 'does_not_contain_substring';
export type VizzlyFilterOperator = VizzlyScalarOperator | VizzlyOrderedOperator | VizzlyListOperator | VizzlyTextOperator;
type Scalar = string | number | boolean;

/** One secure filter. `null` is never a value (a lost value must not become `IS NULL`). */
export type VizzlySecureFilter =
  | { field: string; op: VizzlyScalarOperator; value: Scalar }
  | { field: string; op: VizzlyOrderedOperator; value: number | string }
  | { field: string; op: VizzlyListOperator; value: Scalar[] }
  | { field: string; op: VizzlyTextOperator; value: string };

/**
 * One data set's secure filters, as Vizzly reads them: `Filter[]` = any one matches (OR);
 * `Filter[][]` = any group matches, every filter in a group matches (OR of AND-groups).
 * `[]` = no filter. Write `[[a, b]]` for "a AND b".
 */
export type VizzlySecureFilters = VizzlySecureFilter[] | VizzlySecureFilter[][];

type VizzlyProjectOrOrganisation =
  | { projectId: string; organisationId?: never }
  | { organisationId: string; projectId?: never };

export type VizzlyDashboardParams = {
  /** Default `'standard'`; `'editor'` is accepted as the older name of `'admin'`. */
  accessType?: 'standard' | 'admin' | 'editor';
  userReference: string;
  /** Default `'read_write'`. */
  scope?: 'read' | 'read_write';
  /** The older dashboard template id (Vizzly's identity callback example still passes it). */
  dashboardId?: string;
  parentDashboardIds?: string[];
} & VizzlyProjectOrOrganisation;

export interface VizzlyDataParams {
  projectId?: string;
  /** `'*'` for every data set. */
  dataSetIds: '*' | string[];
  /** Per data set (each must be listed in `dataSetIds` unless `'*'`); `{}` for none. */
  secureFilters: Record<string, VizzlySecureFilters>;
  parameters?: Record<string, unknown>;
}

export interface VizzlyQueryEngineParams {
  projectId?: string;
  allowDatabaseSchemaAccess: boolean | { table: string }[];
  allowDataPreviewAccess: boolean;
}

export interface VizzlyProjectParams {
  projectId: string;
  resources: { id: string; scope: 'read' | 'read_write' }[];
}

/**
 * Vizzly's flat identity config. A data token is made when `dataSetIds` (with `secureFilters`,
 * and optionally `parameters`) is given; a query-engine token when either `allow*` flag is
 * (the other defaults to `false`).
 */
export type VizzlyIdentityConfig = VizzlyDashboardParams & {
  dataSetIds?: '*' | string[];
  secureFilters?: Record<string, VizzlySecureFilters>;
  parameters?: Record<string, unknown>;
  allowDatabaseSchemaAccess?: boolean | { table: string }[];
  allowDataPreviewAccess?: boolean;
};

export interface VizzlyTokens {
  dashboardAccessToken: string;
  dataAccessToken?: string;
  queryEngineAccessToken?: string;
}

/** The scope types a Tinybird JWT may carry: `@tinybirdco/sdk`'s `JWTScopeType`. */
export type TinybirdJwtScopeType = 'PIPES:READ' | 'DATASOURCES:READ' | 'DATASOURCES:APPEND';

export type TinybirdScope =
  | { type: 'PIPES:READ'; resource: string; fixed_params?: Record<string, string | number | boolean> }
  | { type: 'DATASOURCES:READ'; resource: string; filter?: string }
  | { type: 'DATASOURCES:APPEND'; resource: string };

/** `@tinybirdco/sdk`'s `JWTLimits`: `rps` optional (leave it out for no limit); a positive whole number when given. */
export interface TinybirdJwtLimits {
  rps?: number;
}

/** `@tinybirdco/sdk`'s `CreateJWTOptions`. */
export interface TinybirdCreateJwtOptions {
  name: string;
  /** A `Date`, Unix seconds or an ISO-8601 string; required, in the future, at most {@link MaxLifetimeSeconds} ahead. */
  expiresAt: Date | number | string;
  scopes: TinybirdScope[];
  limits?: TinybirdJwtLimits;
}

export interface TinybirdJwtParams extends TinybirdCreateJwtOptions {
  /** Overrides the signer's `workspaceId`. */
  workspaceId?: string;
}

/** Every Tinybird scope type: Classic's nine and Forward's workspace/organization-wide ones. */
export type TinybirdScopeType =
  | 'DATASOURCES:CREATE' | 'DATASOURCES:APPEND' | 'DATASOURCES:DROP' | 'DATASOURCES:READ'
  | 'PIPES:CREATE' | 'PIPES:DROP' | 'PIPES:READ' | 'TOKENS' | 'ADMIN'
  | 'WORKSPACE:READ_ALL' | 'WORKSPACE:DEPLOY' | 'ORG_DATASOURCES:READ';

/** A static-token scope: `TYPE[:resource[:sql_filter]]`. */
export interface StaticScope {
  type: TinybirdScopeType;
  resource?: string;
  filter?: string;
}

/** Operators of Embeddable's security filters. */
export type EmbeddableFilterOperator =
  | 'equals' | 'notEquals' | 'contains' | 'notContains' | 'startsWith' | 'notStartsWith'
  | 'endsWith' | 'notEndsWith' | 'gt' | 'gte' | 'lt' | 'lte'
  | 'inDateRange' | 'notInDateRange' | 'onTheDate' | 'beforeDate';

export interface EmbeddableSecurityFilter {
  /** `<model>.<field>`, e.g. `customers.id`. */
  member: string;
  operator: EmbeddableFilterOperator;
  /** Strings (numbers written as strings, `["5"]`); two for date ranges, one for gt/gte/lt/lte/onTheDate/beforeDate. */
  values: string[];
}

/** The body of Embeddable's Tokens API (`POST /api/v1/security-token`). */
export interface EmbeddableSecurityTokenParams {
  embeddableId: string;
  savedVersion?: string;
  /** Whole seconds, 1 to 315,360,000 ({@link MaxLifetimeSeconds}). */
  expiryInSeconds: number;
  securityContext: Record<string, unknown>;
  user: string;
  dashboardState?: string;
  customCanvasState?: string;
  customCanvasReadOnly?: boolean;
  environment?: string;
  roles?: string[];
  filters?: EmbeddableSecurityFilter[];
  dataProvider?: string;
}

export type EmbeddableTokenRequestParams = EmbeddableSecurityTokenParams & { apiKey: string } & (
  | { region: 'eu' | 'us'; baseUrl?: never }
  | { baseUrl: string; region?: never }
);

export interface EmbeddableTokenRequestOptions {
  /** Whole milliseconds, 1 to 120000; default 10000. */
  timeoutMs?: number;
}

/** Which vendor shape `decode` recognised. */
export type TokenProfile = 'tinybird' | 'vizzly-dashboard' | 'vizzly-data' | 'vizzly-query-engine' | 'vizzly-project' | 'embeddable';

interface VerifierCommonOptions {
  /** Allowed `alg` values. Default: exactly the key's algorithm (the JWK's `alg`, or the key type's default). */
  algorithms?: Algorithm[];
  /** Expected `iss` (any of a list). */
  issuer?: string | string[];
  /** Expected `aud` (any of a list must appear in the token's `aud`). */
  audience?: string | string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default `0`; at most 86,400 (one day). */
  clockToleranceSeconds?: number;
  /** Reject tokens whose `iat` is older than this. Requires `iat`. */
  maxTokenAgeSeconds?: number;
  /** Claims that must be present. */
  requiredClaims?: string[];
  /** Required header `typ` (case-insensitive; `application/` prefix optional). */
  typ?: string;
  /**
   * Longest token accepted (UTF-8 bytes), checked before any decoding; a token whose JS length
   * already exceeds it is refused before it is copied into WebAssembly memory. Default `16384`.
   */
  maxTokenBytes?: number;
  /** A fixed "now", for tests. */
  currentTime?: Instant;
  /** Accept tokens without `exp`. Default `false`. */
  allowMissingExpiry?: boolean;
  /** `'vizzly'`: the expiry is Vizzly's ISO-8601 `expires` claim (required) instead of `exp`. */
  profile?: 'vizzly';
  /**
   * Cache verified tokens: `true` for 1000 entries, or `{ maxEntries }`. A cached token is returned
   * without re-verification until it expires (never past `exp`/`maxTokenAgeSeconds`); cached results
   * are shared and deeply frozen. Off by default; never used with `currentTime`.
   */
  cache?: boolean | { maxEntries: number };
  /**
   * Vizzly data tokens: let `authorize` grant a data set that has no `secureFilters` entry while the
   * token filters other data sets. Off by default: such a request is `ERR_SCOPE_DENIED`, because
   * Vizzly requires filters for each data set and a look-alike id would otherwise read unfiltered.
   */
  allowUnfilteredDataSets?: boolean;
}

export type VerifierOptions = VerifierCommonOptions &
  (
    | { /** PEM (SPKI, PKCS#1 `RSA PUBLIC KEY`, X.509 `CERTIFICATE`), a public JWK, a public `KeyObject` or a public `CryptoKey`. */ publicKey: string | Jwk | KeyObjectLike | CryptoKeyLike; jwks?: never; secret?: never }
    | { /** A JWK set; the token's `kid` picks the key. */ jwks: Jwks; publicKey?: never; secret?: never }
    | {
        /** HMAC secret. */ secret: Secret;
        /** Accept a secret shorter than the hash, for verifying legacy tokens during a migration (signers never do). */
        allowShortSecret?: boolean;
        publicKey?: never;
        jwks?: never;
      }
    | (RemoteJwksOptions & { publicKey?: never; jwks?: never; secret?: never })
  );

/** A key set fetched with `fetch` (use `verifyAsync` / `authorizeAsync`); defaults as jose's `createRemoteJWKSet`. */
export interface RemoteJwksOptions {
  /** `https://` (or `http://` on localhost / 127.0.0.1 / [::1]); redirects are refused. */
  jwksUrl: string;
  /** Keys are refetched before use once older than this. Default `600`. */
  cacheMaxAgeSeconds?: number;
  /** An unknown `kid` refetches at most once per this many seconds since the last fetch. Default `30`. */
  cooldownSeconds?: number;
  /** A fetch (headers and body) taking longer fails with `ERR_JWKS_TIMEOUT`. Default `5000`. */
  timeoutMs?: number;
  /** Larger responses are refused (`ERR_JWKS_INVALID`) without being buffered. Default `262144`. */
  maxJwksBytes?: number;
  /** Sets with more keys are refused (`ERR_JWKS_INVALID`). Default `100`. */
  maxJwksKeys?: number;
}

export interface VerifiedToken<P extends JwtPayload = JwtPayload> {
  header: JwtHeader;
  payload: P;
}

export interface Verifier {
  /** The algorithms this verifier accepts. */
  readonly algorithms: Algorithm[];
  /**
   * Verifies signature and claims. Throws `TokenError`. Synchronous: with `jwksUrl`, uses the keys
   * fetched so far (`ERR_JWKS_NO_MATCHING_KEY` before the first `verifyAsync`).
   */
  verify<P extends JwtPayload = JwtPayload>(token: string): VerifiedToken<P>;
  /**
   * `verify` as a Promise: the same result and the same errors. Outside Node, asymmetric signatures
   * are checked by WebCrypto (`crypto.subtle`, keys imported once at creation); every other check
   * runs where `verify` runs them. With `jwksUrl`: fetches the keys first if none are cached or they are older
   * than `cacheMaxAgeSeconds`, and refetches once (per cooldown) for an unknown `kid`. Rejects with
   * `ERR_JWKS_FETCH_FAILED`, `ERR_JWKS_TIMEOUT` or `ERR_JWKS_INVALID` when the key set cannot be had.
   */
  verifyAsync<P extends JwtPayload = JwtPayload>(token: string): Promise<VerifiedToken<P>>;
  /** `authorize` as a Promise, with the keys of `verifyAsync`; outside Node the signature is checked by WebCrypto too. */
  authorizeAsync(token: string, request: AuthorizeRequest): Promise<Grant>;
  /**
   * Verifies, then matches the request against the token's scopes (Tinybird JWT scopes, static scope
   * strings in `scopes`, or Vizzly `dataSetIds`). Throws `ERR_SCOPE_DENIED`. Consumes no rate
   * limit: pass the grant to a `RateLimiter`.
   */
  authorize(token: string, request: AuthorizeRequest): Grant;
}

export interface AuthorizeRequest {
  type: TinybirdScopeType;
  /** Required except for `DATASOURCES:CREATE`, `PIPES:CREATE`, `TOKENS`, `ADMIN`. */
  resource?: string;
  params?: Record<string, string | number | boolean>;
}

export interface Grant {
  type: TinybirdScopeType;
  resource: string;
  /** The request's params with the scope's `fixed_params` applied on top (they always win). */
  params: Record<string, string | number | boolean>;
  /** Params the caller sent that a fixed param replaced with a different value. */
  overridden: string[];
  /**
   * The SQL filter the scope carries, if any, parsed and normalised by `scopemint/server`
   * (an unparsable one throws `ERR_FILTER_INVALID`). `scopemint` has no
   * SQL parser: a matched scope with a filter throws `ERR_FILTER_UNCHECKED` there.
   */
  filter: string | null;
  /**
   * Vizzly data tokens: the data set's secure filters as an OR of AND-groups (a token's flat
   * `Filter[]` comes back as one-filter groups); `[]` when the data set is unfiltered.
   */
  secureFilters: VizzlySecureFilter[][] | null;
  claims: JwtPayload;
  /**
   * The token's `limits.rps` budget, keyed by `workspace_id` + `name` as Tinybird counts it; `null`
   * when the token has no `limits`, no `rps`, or `rps <= 0` (Tinybird: no limit).
   */
  rateLimit: RateLimit | null;
}

export interface RateLimit {
  /** `["<workspace_id>","<name>"]`: every token with this key shares one budget. */
  key: string;
  /** Requests per second: the bucket's capacity and its refill rate. */
  rps: number;
}

/** What a consumed request leaves, ready for `X-RateLimit-Limit` / `X-RateLimit-Remaining`. */
export interface RateLimitUsage {
  limit: number;
  remaining: number;
  /** Whole seconds until the budget is full again. */
  resetSeconds: number;
}

/** The subset of an `ioredis` client the limiter uses. */
export interface RedisClientLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface RateLimiterOptions {
  /** Memory: most buckets held (default 10000). Full of busy buckets, a new key waits (`ERR_RATE_LIMITED`). */
  maxKeys?: number;
  /** An `ioredis` client: every process using the same Redis shares each budget (one script, one round trip). */
  redis?: RedisClientLike;
  /** Redis key prefix. Default `'scopemint:rl:'`. */
  prefix?: string;
  /** Longest wait for Redis, in ms (1 to 60000). Default `1000`. */
  timeoutMs?: number;
  /**
   * When Redis fails or times out: `'refuse'` (default) rejects with `ERR_RATE_LIMIT_UNAVAILABLE`;
   * `'memory'` counts in this process's memory instead (each process then has its own budget).
   */
  onRedisError?: 'refuse' | 'memory';
}

export interface RateLimiter {
  readonly backend: 'memory' | 'redis';
  /** Buckets held in this process's memory. */
  readonly size: number;
  /**
   * Takes one request from the grant's budget. Resolves to the usage, or `null` when the grant has no
   * `rateLimit`; rejects with `ERR_RATE_LIMITED` (`retryAfter` whole seconds ≥ 1) or
   * `ERR_RATE_LIMIT_UNAVAILABLE`.
   */
  consume(grant: { rateLimit: RateLimit | null }): Promise<RateLimitUsage | null>;
}

export type SqlDialect = 'postgres' | 'mysql' | 'sqlite' | 'clickhouse';

export interface CompiledFilter {
  /** A boolean SQL expression; values appear only as placeholders. */
  sql: string;
  params: unknown[];
}

export interface DecodeOptions {
  /** Default `16384`; checked before the token is copied into WebAssembly memory. */
  maxTokenBytes?: number;
}

export interface DecodedToken<P extends JwtPayload = JwtPayload> {
  header: JwtHeader;
  payload: P;
  issuedAt: Date | null;
  expiresAt: Date | null;
  expired: boolean;
  /** Whole seconds until `exp` (0 once expired); `null` without `exp`. */
  secondsLeft: number | null;
  /** The vendor shape recognised from the claims, or `null`. */
  profile: TokenProfile | null;
  /** Vizzly data tokens: each data set's secure filters read as one boolean expression. */
  profileInfo: { secureFilters: Record<string, string> } | null;
}

export interface GeneratedKeyPair {
  /** PKCS#8 PEM. */
  privateKey: string;
  /** SPKI PEM. */
  publicKey: string;
  publicJwk: PublicJwk;
}

/** Builds a signer; validates every option and parses the key now, not on first use. */
export function createSigner(options: SignerOptions): Signer;
/** Builds a verifier; validates every option and parses the key(s) now. */
export function createVerifier(options: VerifierOptions): Verifier;
/** A rate limiter for `grant.rateLimit`: in memory, or shared through Redis. */
export function createRateLimiter(options?: RateLimiterOptions): RateLimiter;
/** jose's `decodeProtectedHeader`: the header of a compact JWS or JWE, NOT verified (e.g. to read `kid`). */
export function decodeProtectedHeader(token: string, options?: DecodeOptions): JwtHeader;
/** Reads a token WITHOUT verifying it: for display only, never for access decisions. */
export function decode<P extends JwtPayload = JwtPayload>(token: string, options?: DecodeOptions): DecodedToken<P>;
/** A fresh key pair for ES256, ES384 or EdDSA. */
export function generateKeyPair(algorithm: KeyPairAlgorithm): GeneratedKeyPair;
/** Parses a Tinybird static-token scope string; throws `ERR_SCOPE_INVALID` naming the bad part. */
export function parseScope(scope: string): StaticScope;
/**
 * The inverse of `parseScope`. A `filter` is checked by `scopemint/server`'s SQL parser
 * (`ERR_FILTER_INVALID`); the `scopemint` entry cannot check one and throws `ERR_FILTER_UNCHECKED`.
 */
export function formatScope(scope: StaticScope): string;
/**
 * One data set's Vizzly secure filters as parameterised SQL (`$1` / `?` / `{p1:Type}` by dialect):
 * `Filter[]` ORed, `Filter[][]` an OR of ANDed groups, with explicit parentheses; `[]` is `1 = 1`.
 */
export function compileSecureFilters(filters: VizzlySecureFilters, options: { dialect: SqlDialect; paramOffset?: number }): CompiledFilter;
/** The validated JSON body for Embeddable's Tokens API (no network call). */
export function embeddableTokenRequest(params: EmbeddableSecurityTokenParams): EmbeddableSecurityTokenParams;
/**
 * POSTs to Embeddable's Tokens API and resolves to `{ token }`. Rejects with `ERR_EMBEDDABLE_HTTP`
 * (`error.status`), `ERR_EMBEDDABLE_TIMEOUT`, `ERR_EMBEDDABLE_NETWORK` or `ERR_EMBEDDABLE_RESPONSE_INVALID`,
 * and with `ERR_INVALID_OPTION` before any request for a bad field.
 */
export function requestEmbeddableToken(
  params: EmbeddableTokenRequestParams,
  options?: EmbeddableTokenRequestOptions,
): Promise<{ token: string }>;
/** The `scopemint/tinybird` API, also reachable here. */
export const tinybird: typeof import('./tinybird');
/** The `scopemint/vizzly` API, also reachable here. */
export const vizzly: typeof import('./vizzly');
