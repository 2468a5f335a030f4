// Compile-time checks of the public types (`npx tsc -p tests/js/tsconfig.json`).
// Every `@ts-expect-error` must be needed: tsc fails if a misuse type-checks.
import {
  compileSecureFilters,
  createSigner,
  createVerifier,
  decode,
  generateKeyPair,
  TokenError,
  type Algorithm,
  type DecodedToken,
  type ErrorCode,
  type GeneratedKeyPair,
  type Grant,
  type Jwks,
  type JwtPayload,
  type MaxLifetimeSeconds,
  type PublicJwk,
  type Signer,
  type SignOptions,
  type VerifiedToken,
  type Verifier,
  type VizzlyIdentityConfig,
  type VizzlySecureFilters,
} from 'scopemint';

interface AppClaims extends JwtPayload {
  org: string;
  scopes: string[];
}

export function correctUse(pem: string, jwks: Jwks): void {
  const pair: GeneratedKeyPair = generateKeyPair('ES256');
  const jwk: PublicJwk = pair.publicJwk;
  const alg: Algorithm = jwk.alg;

  const signer: Signer = createSigner({ privateKey: pair.privateKey, ttlInMinutes: 60, keyId: 'k1', issuer: 'https://app.example' });
  const hmac = createSigner({ secret: new Uint8Array(32), algorithm: 'HS256', ttlSeconds: 30, audience: ['a', 'b'] });
  createSigner({ secret: 'a string secret of thirty-two bytes', allowMissingExpiry: true });
  createSigner({ privateKey: { kty: 'EC', crv: 'P-256', x: '', y: '', d: '' } });
  createSigner({ secret: new ArrayBuffer(64), algorithm: 'HS512', ttlSeconds: 60 });

  const options: SignOptions = {
    expiresAt: new Date(),
    notBefore: 1_800_000_000,
    jti: true,
    subject: 'user',
    audience: 'dashboard',
    header: { kid: 'k2', typ: 'at+jwt', custom: 1 },
  };
  const token: string = signer.sign({ org: 'acme' }, options);
  hmac.sign({}, { expiresAt: '2030-01-01T00:00:00Z', jti: 'id-1' });
  const keyId: string | undefined = signer.keyId;
  const publicPem: string = signer.publicKey();
  const set: { keys: PublicJwk[] } = signer.jwks();

  const verifiers: Verifier[] = [
    createVerifier({ publicKey: pem, algorithms: ['RS256', 'PS256'], issuer: ['a', 'b'], audience: 'x' }),
    createVerifier({ publicKey: jwk, clockToleranceSeconds: 5, maxTokenAgeSeconds: 60, typ: 'at+jwt' }),
    createVerifier({ jwks, requiredClaims: ['org'], maxTokenBytes: 8192 }),
    createVerifier({ jwks: set }),
    createVerifier({ secret: 'x'.repeat(32), currentTime: new Date(), allowMissingExpiry: true }),
    createVerifier({ publicKey: publicPem, currentTime: 1_800_000_000 }),
  ];
  const allowed: Algorithm[] = verifiers[0].algorithms;

  const verified: VerifiedToken<AppClaims> = verifiers[0].verify<AppClaims>(token);
  const org: string = verified.payload.org;
  const scopes: string[] = verified.payload.scopes;
  const headerAlg: Algorithm = verified.header.alg;
  const exp: number | undefined = verified.payload.exp;

  const decoded: DecodedToken = decode(token, { maxTokenBytes: 4096 });
  const issuedAt: Date | null = decoded.issuedAt;
  const expiresAt: Date | null = decoded.expiresAt;
  const expired: boolean = decoded.expired;
  const left: number | null = decoded.secondsLeft;

  try {
    verifiers[1].verify(token);
  } catch (error) {
    if (error instanceof TokenError) {
      const code: ErrorCode = error.code;
      if (code === 'ERR_CLOCK_INVALID') void code;
      const claim: string | undefined = error.claim;
      const name: 'TokenError' = error.name;
      const asError: Error = error;
      void [code, claim, name, asError];
    }
  }
  const longest: MaxLifetimeSeconds = 315_360_000;
  // @ts-expect-error the maximum lifetime is one fixed number
  const other: MaxLifetimeSeconds = 315_360_001;
  void [alg, keyId, allowed, org, scopes, headerAlg, exp, issuedAt, expiresAt, expired, left, longest, other];
}

export function misuse(pem: string, jwks: Jwks, signer: Signer, verifier: Verifier): void {
  // @ts-expect-error unknown option (ttlMinutes is not an option; ttlInMinutes is)
  createSigner({ secret: 's', ttlMinutes: 5 });
  // @ts-expect-error unknown verifier option
  createVerifier({ publicKey: pem, audiance: 'x' });
  // @ts-expect-error unknown per-call option (jsonwebtoken's name)
  signer.sign({}, { expiresIn: '1h' });
  // @ts-expect-error not an algorithm
  createSigner({ secret: 's', algorithm: 'HS1024' });
  // @ts-expect-error "none" is never an algorithm
  createVerifier({ secret: 's', algorithms: ['none'] });
  // @ts-expect-error algorithm names are case-sensitive
  createVerifier({ publicKey: pem, algorithms: ['rs256'] });
  // @ts-expect-error both privateKey and secret
  createSigner({ privateKey: pem, secret: 's', ttlSeconds: 60 });
  // @ts-expect-error a signer needs a key
  createSigner({ ttlSeconds: 60 });
  // @ts-expect-error publicKey and jwks together
  createVerifier({ publicKey: pem, jwks });
  // @ts-expect-error publicKey and secret together
  createVerifier({ publicKey: pem, secret: 's' });
  // @ts-expect-error a verifier needs a key
  createVerifier({ issuer: 'x' });
  // @ts-expect-error RSA keys are not generated
  generateKeyPair('RS256');
  // @ts-expect-error tokens are strings
  verifier.verify(Buffer.from('a.b.c'));
  // @ts-expect-error jti is `true` or a string, not false
  signer.sign({}, { jti: false });
  // @ts-expect-error a number is not a secret
  createSigner({ secret: 42 });
  // @ts-expect-error sign returns a string, not a Promise
  const notPromise: Promise<string> = signer.sign({});
  const decoded = decode('a.b.c');
  // @ts-expect-error secondsLeft may be null (strict null checks)
  const seconds: number = decoded.secondsLeft;
  // @ts-expect-error issuedAt is a Date, not a number
  const issued: number | null = decoded.issuedAt;
  // @ts-expect-error algorithms is readonly on a verifier
  verifier.algorithms = ['HS256'];
  try {
    verifier.verify('x');
  } catch (error) {
    if (error instanceof TokenError) {
      // @ts-expect-error not one of the stable codes
      const code: 'ERR_SOMETHING_ELSE' = error.code;
      void code;
    }
  }
  void [notPromise, seconds, issued];
}

declare const Buffer: { from(text: string): Uint8Array };

// `scopemint/server`: the main API plus the SQL filter parser and data-model renderer.
import * as server from 'scopemint/server';

export function serverTypes(): void {
  const filter: string = server.normalizeSqlFilter("org_id = 'acme'", { dialect: 'clickhouse' });
  const rendered = server.renderDataModel('SELECT 1', { userId: 'u1' }, { dialect: 'postgres', paramOffset: 1 });
  const sql: string = rendered.sql;
  const params: unknown[] = rendered.params;
  const signer = server.createSigner({ secret: 'x'.repeat(32) });
  // @ts-expect-error renderDataModel needs a dialect
  server.renderDataModel('SELECT 1', {}, {});
  // @ts-expect-error not a dialect
  server.normalizeSqlFilter('a = 1', { dialect: 'oracle' });
  const code: server.ErrorCode = 'ERR_TEMPLATE_INVALID';
  // The main entry refuses a filter it cannot check with this code.
  const unchecked: server.ErrorCode = 'ERR_FILTER_UNCHECKED';
  void [filter, sql, params, signer, code, unchecked];
}

// Rate limits: a grant's budget consumed in memory or through an ioredis client.
import { createRateLimiter, type RateLimitUsage } from 'scopemint';
import Redis from 'ioredis';

export async function rateLimitTypes(verifier: Verifier, token: string): Promise<void> {
  const grant = verifier.authorize(token, { type: 'PIPES:READ', resource: 'p' });
  const rps: number | undefined = grant.rateLimit?.rps;
  const memory = createRateLimiter({ maxKeys: 100 });
  const usage: RateLimitUsage | null = await memory.consume(grant);
  const shared = createRateLimiter({ redis: new Redis(), timeoutMs: 500, onRedisError: 'memory' });
  // @ts-expect-error not a failure mode
  createRateLimiter({ redis: new Redis(), onRedisError: 'allow' });
  // @ts-expect-error consume takes a grant, not a token
  void memory.consume(token);
  const code: ErrorCode = 'ERR_RATE_LIMIT_UNAVAILABLE';
  void [rps, usage, shared, code];
}

// Vizzly: the flat identity config, both secure-filter forms, and per-operator value types.
export function vizzlyTypes(signer: Signer, grant: Grant): void {
  const or: VizzlySecureFilters = [
    { field: 'org_id', op: '=', value: 'acme' },
    { field: 'region', op: 'is_one_of', value: ['eu', 'us'] },
  ];
  const orOfAnd: VizzlySecureFilters = [
    [{ field: 'org_id', op: '=', value: 'acme' }, { field: 'created_at', op: '>=', value: '2024-01-01' }],
    [{ field: 'tags', op: 'array_contains', value: 'public' }],
  ];
  const identity: VizzlyIdentityConfig = {
    projectId: 'prj_1',
    userReference: 'u1',
    dataSetIds: ['orders', 'people'],
    secureFilters: { orders: orOfAnd, people: or },
    allowDatabaseSchemaAccess: true,
  };
  const tokens = signer.generateTokens(identity);
  const dashboard: string = tokens.dashboardAccessToken;
  const data: string | undefined = tokens.dataAccessToken;
  void [dashboard, data];
  signer.signProjectAccessToken({ projectId: 'prj_1', resources: [{ id: 'cnf_1', scope: 'read_write' }] });
  compileSecureFilters(orOfAnd, { dialect: 'sqlite' });
  if (grant.secureFilters) compileSecureFilters(grant.secureFilters, { dialect: 'postgres' });
  const reading: string | undefined = decode('t').profileInfo?.secureFilters.orders;
  void reading;
  // @ts-expect-error the nested { dashboard, data } form is gone
  signer.generateTokens({ dashboard: { projectId: 'p', userReference: 'u' } });
  // @ts-expect-error null is never a filter value
  compileSecureFilters([{ field: 'a', op: '=', value: null }], { dialect: 'postgres' });
  // @ts-expect-error text operators take strings
  compileSecureFilters([{ field: 'a', op: 'starts_with', value: 1 }], { dialect: 'postgres' });
  // @ts-expect-error projectId and organisationId are exclusive
  signer.signDashboardAccessToken({ projectId: 'p', organisationId: 'o', userReference: 'u' });
}

import { createClient } from 'scopemint/tinybird';
import { requestEmbeddableToken, parseScope, type StaticScope } from 'scopemint';

export async function tinybirdAndEmbeddable(): Promise<string> {
  const client = createClient({ token: 'p.admin', workspaceId: 'ws', baseUrl: 'https://api.tinybird.co' });
  const { token } = await client.tokens.createJWT({
    name: 'n',
    expiresAt: new Date(),
    scopes: [{ type: 'DATASOURCES:APPEND', resource: 'events' }],
    limits: {},
  });
  // @ts-expect-error the SDK's createJWT takes no workspaceId
  await client.tokens.createJWT({ name: 'n', expiresAt: 1, scopes: [], workspaceId: 'x' });
  // @ts-expect-error WORKSPACE:READ_ALL is a static scope, not a JWT scope type
  await client.tokens.createJWT({ name: 'n', expiresAt: 1, scopes: [{ type: 'WORKSPACE:READ_ALL', resource: 'x' }] });
  const forward: StaticScope = parseScope('ORG_DATASOURCES:READ');
  forward.type satisfies 'ORG_DATASOURCES:READ' | string;
  const embeddable = await requestEmbeddableToken(
    { apiKey: 'k', region: 'eu', embeddableId: 'd', expiryInSeconds: 60, securityContext: {}, user: 'u',
      filters: [{ member: 'customers.id', operator: 'equals', values: ['5'] }], roles: ['manager'] },
    { timeoutMs: 5000 },
  );
  // @ts-expect-error region or baseUrl is required
  await requestEmbeddableToken({ apiKey: 'k', embeddableId: 'd', expiryInSeconds: 60, securityContext: {}, user: 'u' });
  return token + embeddable.token;
}

export async function asyncSigningTypes(signer: Signer, verifier: Verifier): Promise<string> {
  const pending: Promise<string> = signer.signAsync({ sub: 'u' }, { expiresAt: new Date(), jti: true, header: { kid: 'k1' } });
  const token = await pending;
  // @ts-expect-error signAsync resolves to the token, not a value
  const notText: number = await signer.signAsync({});
  // @ts-expect-error the same per-call options as sign
  await signer.signAsync({}, { expiresIn: '1h' });
  const { payload } = await verifier.verifyAsync<AppClaims>(token);
  void [notText, payload.org];
  return token;
}

export async function remoteJwksTypes(token: string): Promise<void> {
  const verifier = createVerifier({ jwksUrl: 'https://issuer.example/.well-known/jwks.json', cooldownSeconds: 30, timeoutMs: 2000 });
  const { payload } = await verifier.verifyAsync<AppClaims>(token);
  const grant = await verifier.authorizeAsync(token, { type: 'PIPES:READ', resource: 'p' });
  // @ts-expect-error one key source only
  createVerifier({ jwksUrl: 'https://issuer.example/jwks', secret: 'x'.repeat(32) });
  const code: ErrorCode = 'ERR_JWKS_TIMEOUT';
  void [payload.org, grant, code];
}

import { decodeProtectedHeader } from 'scopemint';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
// The real Node and WebCrypto key types fit the package's structural ones.
const keyObject = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
declare const cryptoKey: webcrypto.CryptoKey;

export function keyObjectTypes(token: string): void {
  createSigner({ privateKey: keyObject });
  createVerifier({ publicKey: cryptoKey });
  createVerifier({ secret: 'short', allowShortSecret: true });
  // @ts-expect-error allowShortSecret is for HMAC secrets
  createVerifier({ publicKey: cryptoKey, allowShortSecret: true });
  const kid: string | undefined = decodeProtectedHeader(token).kid;
  void kid;
}

// `scopemint/decode`: only decode, and the very same TokenError class.
import * as decodeOnly from 'scopemint/decode';

export function decodeEntryTypes(token: string): void {
  const decoded: DecodedToken<AppClaims> = decodeOnly.decode<AppClaims>(token, { maxTokenBytes: 4096 });
  const org: string = decoded.payload.org;
  const sameClass: typeof TokenError = decodeOnly.TokenError;
  // @ts-expect-error the decode entry signs nothing
  decodeOnly.createSigner({ secret: 'x'.repeat(32) });
  // @ts-expect-error not an option of decode
  decodeOnly.decode(token, { verify: true });
  void [org, sameClass];
}

// TokenError's constructor is typed (adapters and tests rethrow with it).
export function tokenErrorConstructor(): TokenError {
  const error = new TokenError('ERR_JWT_EXPIRED', 'expired', 'exp');
  // @ts-expect-error not one of the stable codes
  void new TokenError('ERR_NOPE', 'x');
  return error;
}
