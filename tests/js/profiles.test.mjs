// Vendor profiles from JS: every token is checked by an independent verifier
// (jose) against the claim shapes in the vendors' docs, and every field rule in
// src/profiles/*.rs (scopes.rs included) is asserted by its error code and claim.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as jose from 'jose';
import {
  createSigner,
  createVerifier,
  decode,
  embeddableTokenRequest,
  formatScope,
  generateKeyPair,
  parseScope,
  TokenError,
  vizzly,
} from 'scopemint';
import * as vizzlyEntry from 'scopemint/vizzly';
import * as serverEntry from 'scopemint/server';
import { inAnHour, keyToken, payloadOf, throwsCode } from './helpers.mjs';

const ADMIN_TOKEN = 'p.eyJ1IjogIjdmOTIwMmMzLWM1ZjctNDU4Ni1hZDUxLTdmYzUzNTRlMTk5YSJ9';
const EMBEDDABLE_SECRET = 'embeddable-signing-secret-0123456789abcdef';
const TTL_MINUTES = 120;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MILLIS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const keys = generateKeyPair('ES256');
const vizzlySigner = createSigner({ privateKey: keys.privateKey, ttlInMinutes: TTL_MINUTES });
const vizzlyKey = await jose.importSPKI(keys.publicKey, 'ES256');
const tinybirdSigner = createSigner({ secret: ADMIN_TOKEN, workspaceId: 'ws_123' });
const tinybirdKey = new TextEncoder().encode(ADMIN_TOKEN);
const embeddableSigner = createSigner({ secret: EMBEDDABLE_SECRET });
const embeddableKey = new TextEncoder().encode(EMBEDDABLE_SECRET);

const DASHBOARD = { accessType: 'standard', projectId: 'prj_1', userReference: 'user_123', scope: 'read_write' };
const DATA = {
  dataSetIds: ['hr-payroll-data', 'hr-people-data'],
  secureFilters: {
    'hr-payroll-data': [{ field: 'field_user_id', op: '=', value: 'user_123' }],
    'hr-people-data': [{ field: 'field_user_id', op: '=', value: 'user_123' }],
  },
};
const QUERY_ENGINE = { allowDatabaseSchemaAccess: true, allowDataPreviewAccess: true };
// Vizzly's flat identity config (https://docs.vizzly.co/dashboard/callbacks/identity).
const IDENTITY = { ...DASHBOARD, ...DATA, ...QUERY_ENGINE };
const PIPE_SCOPE = { type: 'PIPES:READ', resource: 'user_dashboard', fixed_params: { user_id: 123 } };
const tinybirdParams = (extra = {}) => ({ name: 'user_123_session', expiresAt: inAnHour(), scopes: [PIPE_SCOPE], ...extra });
const EMBEDDABLE = {
  embeddableId: 'dashboard-id',
  expiryInSeconds: 60 * 60 * 24 * 7,
  securityContext: { userId: '9sZSJ9LHsiYXR0cmlidXRlIjoiZ2VvaXBf', regions: ['us-east', 'eu-west'] },
  user: 'sina@embeddable.com',
  dashboardState: 'team1-dashboard7',
  environment: 'prod',
};

/** Checks a Vizzly token with jose; returns its payload. `before`/`after` bracket the signing time (ms). */
async function verifyVizzly(token, before, after) {
  const { payload, protectedHeader } = await jose.jwtVerify(token, vizzlyKey, { algorithms: ['ES256'] });
  assert.deepEqual(protectedHeader, { alg: 'ES256', typ: 'JWT' });
  assert.equal('exp' in payload, false, 'Vizzly tokens carry no exp');
  assert.equal('iat' in payload, false, 'Vizzly tokens carry no iat');
  assert.match(payload.expires, ISO_MILLIS);
  const expires = Date.parse(payload.expires);
  // expires is new Date(now + ttl).toISOString(), taken while signing.
  assert.equal(new Date(expires).toISOString(), payload.expires);
  assert.ok(expires >= before + TTL_MINUTES * 60_000 - 1000, `${payload.expires} too early`);
  assert.ok(expires <= after + TTL_MINUTES * 60_000 + 1000, `${payload.expires} too late`);
  return payload;
}

function withoutExpires(payload) {
  const { expires, ...rest } = payload;
  return rest;
}

async function signedVizzly(fn) {
  const before = Date.now();
  const token = fn();
  const after = Date.now();
  return { token, payload: await verifyVizzly(token, before, after) };
}

describe('Vizzly tokens, verified with jose', () => {
  test('dashboard access token: the given fields plus expires, nothing else', async () => {
    const { token, payload } = await signedVizzly(() => vizzlySigner.signDashboardAccessToken(DASHBOARD));
    assert.deepEqual(Object.keys(payload), ['accessType', 'projectId', 'userReference', 'scope', 'expires']);
    assert.deepEqual(withoutExpires(payload), DASHBOARD);
    assert.equal(decode(token).profile, 'vizzly-dashboard');
  });

  test('dashboard token with organisationId, dashboardId, parentDashboardIds and the older "editor"', async () => {
    const params = {
      accessType: 'editor',
      organisationId: 'org_1',
      userReference: 'u',
      scope: 'read',
      dashboardId: 'dsh_1',
      parentDashboardIds: ['dsh_0'],
    };
    const { payload } = await signedVizzly(() => vizzlySigner.signDashboardAccessToken(params));
    assert.deepEqual(withoutExpires(payload), params);
  });

  test('data access token: data sets and secure filters as given', async () => {
    const { token, payload } = await signedVizzly(() => vizzlySigner.signDataAccessToken(DATA));
    assert.deepEqual(Object.keys(payload), ['dataSetIds', 'secureFilters', 'expires']);
    assert.deepEqual(withoutExpires(payload), DATA);
    assert.equal(decode(token).profile, 'vizzly-data');
  });

  // Operators and value types: https://docs.vizzly.co/identity/properties/secure-filters.
  test('data access token: "*" allows filters on any data set; every operator is accepted', async () => {
    const filters = [
      { field: 'f0', op: '=', value: 'x' },
      { field: 'f1', op: '!=', value: 1 },
      { field: 'f2', op: '>', value: 2 },
      { field: 'f3', op: '<', value: '2024-03-06T20:49:28.746Z' },
      { field: 'f4', op: '>=', value: '2024-03-06' },
      { field: 'f5', op: '<=', value: 5.5 },
      { field: 'f6', op: 'starts_with', value: 'x' },
      { field: 'f7', op: 'ends_with', value: 'x' },
      { field: 'f8', op: 'contains_substring', value: 'x' },
      { field: 'f9', op: 'does_not_contain_substring', value: 'x' },
      { field: 'region', op: 'is_one_of', value: ['us', 'eu', 1, true] },
      { field: 'region', op: 'is_not_one_of', value: [] },
      { field: 'tags', op: 'array_contains', value: 'public' },
      { field: 'active', op: '!=', value: false },
    ];
    const params = { dataSetIds: '*', secureFilters: { anything: filters }, parameters: { tenant: 'acme' } };
    const { payload } = await signedVizzly(() => vizzlySigner.signDataAccessToken(params));
    assert.deepEqual(withoutExpires(payload), params);
  });

  test('data access token: the nested form (OR of AND-groups) is signed as given', async () => {
    const params = {
      projectId: 'prj_1',
      dataSetIds: ['orders'],
      secureFilters: {
        orders: [
          [{ field: 'org_id', op: '=', value: 'acme' }, { field: 'region', op: '=', value: 'eu' }],
          [{ field: 'org_id', op: '=', value: 'globex' }],
        ],
      },
    };
    const { token, payload } = await signedVizzly(() => vizzlySigner.signDataAccessToken(params));
    assert.deepEqual(Object.keys(payload), ['projectId', 'dataSetIds', 'secureFilters', 'expires']);
    assert.deepEqual(withoutExpires(payload), params);
    // decode reads it as Vizzly does, in words computed in Rust.
    assert.deepEqual(decode(token).profileInfo, {
      secureFilters: { orders: "(org_id = 'acme' AND region = 'eu') OR org_id = 'globex'" },
    });
    assert.equal(decode(vizzlySigner.signDashboardAccessToken(DASHBOARD)).profileInfo, null);
  });

  test('project access token (https://docs.vizzly.co/query-engines/self-hosted/config/storage/vizzly-api)', async () => {
    const params = { projectId: 'prj_1', resources: [{ id: 'cnf_1', scope: 'read_write' }] };
    const { token, payload } = await signedVizzly(() => vizzlySigner.signProjectAccessToken(params));
    assert.deepEqual(withoutExpires(payload), params);
    assert.equal(decode(token).profile, 'vizzly-project');
    throwsCode(() => vizzlySigner.signProjectAccessToken({ projectId: 'prj_1', resources: [] }), 'ERR_INVALID_OPTION', 'resources');
  });

  test('query-engine access token', async () => {
    const { token, payload } = await signedVizzly(() => vizzlySigner.signQueryEngineAccessToken(QUERY_ENGINE));
    assert.deepEqual(withoutExpires(payload), QUERY_ENGINE);
    assert.equal(decode(token).profile, 'vizzly-query-engine');
    const tables = { allowDatabaseSchemaAccess: [{ table: 'payroll' }], allowDataPreviewAccess: false };
    const { payload: limited } = await signedVizzly(() => vizzlySigner.signQueryEngineAccessToken(tables));
    assert.deepEqual(withoutExpires(limited), tables);
  });

  test('generateTokens: the identity response with all three tokens, from the flat identity config', async () => {
    const before = Date.now();
    const tokens = vizzlySigner.generateTokens(IDENTITY);
    const after = Date.now();
    assert.deepEqual(Object.keys(tokens), ['dashboardAccessToken', 'dataAccessToken', 'queryEngineAccessToken']);
    assert.deepEqual(withoutExpires(await verifyVizzly(tokens.dashboardAccessToken, before, after)), DASHBOARD);
    // projectId is carried onto the data and query-engine tokens (https://docs.vizzly.co/identity/self-sign).
    assert.deepEqual(withoutExpires(await verifyVizzly(tokens.dataAccessToken, before, after)), { projectId: 'prj_1', ...DATA });
    assert.deepEqual(withoutExpires(await verifyVizzly(tokens.queryEngineAccessToken, before, after)), { projectId: 'prj_1', ...QUERY_ENGINE });
  });

  test("generateTokens: Vizzly's own identity callback example (https://docs.vizzly.co/dashboard/callbacks/identity)", async () => {
    const tokens = vizzlySigner.generateTokens({
      userReference: 'usr 12345 - custom',
      accessType: 'editor',
      dataSetIds: '*',
      secureFilters: {},
      organisationId: 'org_9817c013a80944cea5890df34ab792cd',
      dashboardId: 'dsh_42496c1c55e24bd985dc71bdc4a85f9d',
      scope: 'read_write',
    });
    assert.deepEqual(Object.keys(tokens), ['dashboardAccessToken', 'dataAccessToken']);
    const dashboard = await verifyVizzly(tokens.dashboardAccessToken, 0, Date.now());
    assert.equal(dashboard.dashboardId, 'dsh_42496c1c55e24bd985dc71bdc4a85f9d');
    assert.deepEqual(withoutExpires(await verifyVizzly(tokens.dataAccessToken, 0, Date.now())), { dataSetIds: '*', secureFilters: {} });
  });

  test('generateTokens: the defaults of vizzly-co/examples node-auth (standard, read_write)', async () => {
    const { dashboardAccessToken } = vizzlySigner.generateTokens({ projectId: 'prj_1', userReference: 'u' });
    const claims = withoutExpires(await verifyVizzly(dashboardAccessToken, 0, Date.now()));
    assert.deepEqual(claims, { accessType: 'standard', projectId: 'prj_1', userReference: 'u', scope: 'read_write' });
  });

  test('generateTokens: only the dashboard token when there is nothing else', () => {
    const tokens = vizzlySigner.generateTokens(DASHBOARD);
    assert.deepEqual(Object.keys(tokens), ['dashboardAccessToken']);
  });

  test('signVizzlyConfig: the config plus expires', async () => {
    const config = { dataSets: [{ id: 'ds1', name: 'Payroll' }], queryEngine: { version: 2 } };
    const { token, payload } = await signedVizzly(() => vizzlySigner.signVizzlyConfig(config));
    assert.deepEqual(withoutExpires(payload), config);
    assert.equal(decode(token).profile, null);
  });

  test('createVerifier({ profile: "vizzly" }) reads expires instead of exp', () => {
    const token = vizzlySigner.signDashboardAccessToken(DASHBOARD);
    const { payload } = createVerifier({ publicKey: keys.publicKey, profile: 'vizzly' }).verify(token);
    assert.deepEqual(withoutExpires(payload), DASHBOARD);
    // Without the profile a token with no exp is refused, as for any token.
    throwsCode(() => createVerifier({ publicKey: keys.publicKey }).verify(token), 'ERR_JWT_CLAIM_INVALID', 'exp');
    throwsCode(() => createVerifier({ publicKey: keys.publicKey, profile: 'tableau' }), 'ERR_INVALID_OPTION', 'profile');
  });

  test('createVerifier({ profile: "vizzly" }) rejects an expired token with ERR_JWT_EXPIRED on expires', () => {
    const token = vizzlySigner.signDashboardAccessToken(DASHBOARD);
    const later = new Date(Date.now() + (TTL_MINUTES + 1) * 60_000);
    throwsCode(
      () => createVerifier({ publicKey: keys.publicKey, profile: 'vizzly', currentTime: later }).verify(token),
      'ERR_JWT_EXPIRED',
      'expires',
    );
    // A token that really expired a minute ago, signed outside scopemint.
    const pastToken = es256Token({ ...DASHBOARD, expires: new Date(Date.now() - 60_000).toISOString() });
    throwsCode(() => createVerifier({ publicKey: keys.publicKey, profile: 'vizzly' }).verify(pastToken), 'ERR_JWT_EXPIRED', 'expires');
    assert.equal(decode(pastToken).expired, true);
    const noExpiry = es256Token({ ...DASHBOARD });
    throwsCode(() => createVerifier({ publicKey: keys.publicKey, profile: 'vizzly' }).verify(noExpiry), 'ERR_JWT_CLAIM_INVALID', 'expires');
    const badExpiry = es256Token({ ...DASHBOARD, expires: 'tomorrow' });
    throwsCode(() => createVerifier({ publicKey: keys.publicKey, profile: 'vizzly' }).verify(badExpiry), 'ERR_JWT_CLAIM_INVALID', 'expires');
  });
});

function es256Token(payload) {
  return keyToken(keys.privateKey, { alg: 'ES256', typ: 'JWT' }, payload, { dsaEncoding: 'ieee-p1363' });
}

describe('Vizzly field rules', () => {
  const dash = (change) => () => vizzlySigner.signDashboardAccessToken({ ...DASHBOARD, ...change });
  const data = (params) => () => vizzlySigner.signDataAccessToken(params);
  const filter = (f) => data({ dataSetIds: ['a'], secureFilters: { a: [f] } });

  test('accessType and scope', () => {
    throwsCode(dash({ accessType: 'superuser' }), 'ERR_INVALID_OPTION', 'accessType');
    throwsCode(dash({ accessType: 'Standard' }), 'ERR_INVALID_OPTION', 'accessType');
    throwsCode(dash({ scope: 'write' }), 'ERR_INVALID_OPTION', 'scope');
    throwsCode(dash({ scope: 'READ' }), 'ERR_INVALID_OPTION', 'scope');
  });

  test('projectId / organisationId: exactly one, non-empty', () => {
    throwsCode(dash({ organisationId: 'org_1' }), 'ERR_INVALID_OPTION', 'projectId');
    throwsCode(dash({ projectId: undefined }), 'ERR_INVALID_OPTION', 'projectId');
    throwsCode(dash({ projectId: null }), 'ERR_INVALID_OPTION', 'projectId');
    throwsCode(dash({ projectId: '' }), 'ERR_INVALID_OPTION', 'projectId');
    const withoutProject = { ...DASHBOARD };
    delete withoutProject.projectId;
    throwsCode(() => vizzlySigner.signDashboardAccessToken({ ...withoutProject, organisationId: '  ' }), 'ERR_INVALID_OPTION', 'organisationId');
  });

  test('userReference, dashboardId, parentDashboardIds', () => {
    throwsCode(dash({ userReference: undefined }), 'ERR_INVALID_OPTION', 'userReference');
    throwsCode(dash({ userReference: ' ' }), 'ERR_INVALID_OPTION', 'userReference');
    throwsCode(dash({ userReference: 123 }), 'ERR_INVALID_OPTION', 'userReference');
    throwsCode(dash({ dashboardId: '' }), 'ERR_INVALID_OPTION', 'dashboardId');
    throwsCode(dash({ parentDashboardIds: ['ok', ''] }), 'ERR_INVALID_OPTION', 'parentDashboardIds[1]');
  });

  test('unknown fields are refused, by name', () => {
    throwsCode(dash({ role: 'admin' }), 'ERR_INVALID_OPTION', 'role');
    throwsCode(data({ ...DATA, dataSets: [] }), 'ERR_INVALID_OPTION', 'dataSets');
    throwsCode(() => vizzlySigner.signQueryEngineAccessToken({ allowEverything: true }), 'ERR_INVALID_OPTION', 'allowEverything');
    throwsCode(() => vizzlySigner.generateTokens({ ...DASHBOARD, extra: {} }), 'ERR_INVALID_OPTION', 'extra');
    // The nested form is gone: one way to do it.
    throwsCode(() => vizzlySigner.generateTokens({ dashboard: DASHBOARD }), 'ERR_INVALID_OPTION', 'dashboard');
  });

  test('dataSetIds: "*" or a non-empty list of non-empty strings', () => {
    throwsCode(data({ dataSetIds: 'all' }), 'ERR_INVALID_OPTION', 'dataSetIds');
    throwsCode(data({ dataSetIds: '' }), 'ERR_INVALID_OPTION', 'dataSetIds');
    throwsCode(data({ dataSetIds: [] }), 'ERR_INVALID_OPTION', 'dataSetIds');
    throwsCode(data({ dataSetIds: [1] }), 'ERR_INVALID_OPTION', 'dataSetIds');
    throwsCode(data({ dataSetIds: ['a', null] }), 'ERR_INVALID_OPTION', 'dataSetIds');
    throwsCode(data({ dataSetIds: ['a', ''] }), 'ERR_INVALID_OPTION', 'dataSetIds[1]');
    throwsCode(data({}), 'ERR_INVALID_OPTION', 'dataSetIds');
  });

  test('secureFilters: only for listed data sets, each a list of {field, op, value}', () => {
    throwsCode(data({ dataSetIds: ['a'], secureFilters: { b: [] } }), 'ERR_INVALID_OPTION', 'secureFilters.b');
    throwsCode(data({ dataSetIds: ['a'], secureFilters: { a: 'field = 1' } }), 'ERR_INVALID_OPTION', 'secureFilters.a');
    throwsCode(filter({ field: 'f', op: '=', value: 1, extra: 1 }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].extra');
    throwsCode(filter({ field: 'f', op: '=' }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].value');
    // null is never a filter value: NaN or a lost value must not become IS NULL.
    throwsCode(filter({ field: 'f', op: '=', value: null }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].value');
    throwsCode(filter({ field: 'f', op: 'is_one_of', value: ['a', null] }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].value');
    // Neither Filter[] nor Filter[][], or an empty AND-group (which would match every row).
    throwsCode(data({ dataSetIds: ['a'], secureFilters: { a: [{ field: 'f', op: '=', value: 1 }, []] } }), 'ERR_INVALID_OPTION', 'secureFilters.a');
    throwsCode(data({ dataSetIds: ['a'], secureFilters: { a: [[]] } }), 'ERR_INVALID_OPTION', 'secureFilters.a[0]');
    throwsCode(data({ dataSetIds: ['a'] }), 'ERR_INVALID_OPTION', 'secureFilters');
    throwsCode(filter({ field: ' ', op: '=', value: 1 }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].field');
  });

  test('operators: unknown op, list op with a scalar, scalar op with a list', () => {
    throwsCode(filter({ field: 'f', op: 'like', value: 'x' }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].op');
    throwsCode(filter({ field: 'f', op: '==', value: 'x' }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].op');
    throwsCode(filter({ field: 'f', op: 'is_one_of', value: 'x' }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].value');
    throwsCode(filter({ field: 'f', op: 'is_not_one_of', value: 3 }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].value');
    throwsCode(filter({ field: 'f', op: 'is_one_of', value: [{ x: 1 }] }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].value');
    throwsCode(filter({ field: 'f', op: '=', value: ['x'] }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].value');
    throwsCode(filter({ field: 'f', op: 'starts_with', value: { x: 1 } }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].value');
    throwsCode(filter({ field: 'f', op: '>', value: 'soon' }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].value');
    throwsCode(filter({ field: 'f', op: 'array_contains', value: ['x'] }), 'ERR_INVALID_OPTION', 'secureFilters.a[0].value');
  });

  test('query engine: schema access is a boolean or a list of named tables', () => {
    const qe = (p) => () => vizzlySigner.signQueryEngineAccessToken(p);
    throwsCode(qe({ allowDatabaseSchemaAccess: 'yes' }), 'ERR_INVALID_OPTION', 'allowDatabaseSchemaAccess');
    throwsCode(qe({ allowDatabaseSchemaAccess: [{ table: '' }] }), 'ERR_INVALID_OPTION', 'allowDatabaseSchemaAccess[0].table');
    throwsCode(qe({ allowDatabaseSchemaAccess: true, allowDataPreviewAccess: 'true' }), 'ERR_INVALID_OPTION', 'allowDataPreviewAccess');
    throwsCode(qe({ allowDatabaseSchemaAccess: true }), 'ERR_INVALID_OPTION', 'allowDataPreviewAccess');
  });

  test('generateTokens validates each field, named as in the flat config', () => {
    throwsCode(() => vizzlySigner.generateTokens({ ...DASHBOARD, scope: 'x' }), 'ERR_INVALID_OPTION', 'scope');
    throwsCode(() => vizzlySigner.generateTokens({ ...DASHBOARD, role: 'x' }), 'ERR_INVALID_OPTION', 'role');
    throwsCode(() => vizzlySigner.generateTokens({ ...DASHBOARD, userReference: undefined }), 'ERR_INVALID_OPTION', 'userReference');
    throwsCode(() => vizzlySigner.generateTokens({ ...DASHBOARD, dataSetIds: [], secureFilters: {} }), 'ERR_INVALID_OPTION', 'dataSetIds');
    throwsCode(() => vizzlySigner.generateTokens({ ...DASHBOARD, secureFilters: {} }), 'ERR_INVALID_OPTION', 'dataSetIds');
    throwsCode(() => vizzlySigner.generateTokens({ ...DASHBOARD, dataSetIds: '*' }), 'ERR_INVALID_OPTION', 'secureFilters');
    throwsCode(
      () => vizzlySigner.generateTokens({ ...DASHBOARD, allowDatabaseSchemaAccess: [{ table: ' ' }] }),
      'ERR_INVALID_OPTION',
      'allowDatabaseSchemaAccess[0].table',
    );
  });

  test('signVizzlyConfig: a JSON object without its own expires', () => {
    throwsCode(() => vizzlySigner.signVizzlyConfig({ expires: '2030-01-01T00:00:00.000Z' }), 'ERR_INVALID_OPTION', 'expires');
    throwsCode(() => vizzlySigner.signVizzlyConfig([1, 2]), 'ERR_INVALID_OPTION', 'config');
    throwsCode(() => vizzlySigner.signVizzlyConfig('config'), 'ERR_INVALID_OPTION', 'config');
  });

  test('a Vizzly signer needs a TTL', () => {
    const noTtl = createSigner({ privateKey: keys.privateKey });
    throwsCode(() => noTtl.signDashboardAccessToken(DASHBOARD), 'ERR_INVALID_OPTION', 'ttlInMinutes');
    throwsCode(() => noTtl.signVizzlyConfig({}), 'ERR_INVALID_OPTION', 'ttlInMinutes');
  });

  test('Vizzly tokens are ES256 only: ERR_KEY_INVALID on HS256, ES384 and EdDSA signers', () => {
    const others = [
      createSigner({ secret: ADMIN_TOKEN, ttlInMinutes: 10 }),
      createSigner({ privateKey: generateKeyPair('ES384').privateKey, ttlInMinutes: 10 }),
      createSigner({ privateKey: generateKeyPair('EdDSA').privateKey, ttlInMinutes: 10 }),
    ];
    for (const signer of others) {
      throwsCode(() => signer.signDashboardAccessToken(DASHBOARD), 'ERR_KEY_INVALID');
      throwsCode(() => signer.signDataAccessToken(DATA), 'ERR_KEY_INVALID');
      throwsCode(() => signer.signQueryEngineAccessToken(QUERY_ENGINE), 'ERR_KEY_INVALID');
      throwsCode(() => signer.generateTokens(DASHBOARD), 'ERR_KEY_INVALID');
      throwsCode(() => signer.signVizzlyConfig({ a: 1 }), 'ERR_KEY_INVALID');
    }
  });
});

describe('scopemint/vizzly: Promises, like @vizzly/auth', () => {
  const signer = vizzlyEntry.createSigner({ privateKey: keys.privateKey, ttlInMinutes: TTL_MINUTES });

  test('is the same API as the vizzly export of the main entry', () => {
    assert.equal(vizzlyEntry.createSigner, vizzly.createSigner);
  });

  test('every method returns a Promise of what the sync signer returns', async () => {
    const calls = {
      signDashboardAccessToken: DASHBOARD,
      signDataAccessToken: DATA,
      signQueryEngineAccessToken: QUERY_ENGINE,
      signProjectAccessToken: { projectId: 'prj_1', resources: [{ id: 'cnf_1', scope: 'read' }] },
      signVizzlyConfig: { a: 1 },
    };
    for (const [method, params] of Object.entries(calls)) {
      const pending = signer[method](params);
      assert.ok(pending instanceof Promise, method);
      const token = await pending;
      assert.equal(typeof token, 'string', method);
      const { payload } = await jose.jwtVerify(token, vizzlyKey);
      assert.deepEqual(withoutExpires(payload), params, method);
    }
    const pending = signer.generateTokens({ ...DASHBOARD, ...DATA });
    assert.ok(pending instanceof Promise);
    const tokens = await pending;
    assert.deepEqual(Object.keys(tokens), ['dashboardAccessToken', 'dataAccessToken']);
    await jose.jwtVerify(tokens.dataAccessToken, vizzlyKey);
  });

  test('bad input rejects the Promise instead of throwing', async () => {
    const cases = [
      ['signDashboardAccessToken', { ...DASHBOARD, accessType: 'root' }, 'ERR_INVALID_OPTION', 'accessType'],
      ['signDataAccessToken', { dataSetIds: [] }, 'ERR_INVALID_OPTION', 'dataSetIds'],
      ['signQueryEngineAccessToken', { nope: true }, 'ERR_INVALID_OPTION', 'nope'],
      ['generateTokens', { dashboard: DASHBOARD }, 'ERR_INVALID_OPTION', 'dashboard'],
      ['signVizzlyConfig', { expires: 'x' }, 'ERR_INVALID_OPTION', 'expires'],
    ];
    for (const [method, params, code, claim] of cases) {
      let pending;
      assert.doesNotThrow(() => {
        pending = signer[method](params);
      }, method);
      assert.ok(pending instanceof Promise, method);
      await assert.rejects(pending, (error) => error instanceof TokenError && error.code === code && error.claim === claim, method);
    }
    const hmac = vizzlyEntry.createSigner({ secret: ADMIN_TOKEN, ttlInMinutes: 10 });
    await assert.rejects(hmac.signDashboardAccessToken(DASHBOARD), { code: 'ERR_KEY_INVALID' });
  });

  test('createSigner itself validates options synchronously, as @vizzly/auth does', () => {
    throwsCode(() => vizzlyEntry.createSigner({ privateKey: 'not a key', ttlInMinutes: 10 }), 'ERR_KEY_INVALID');
    throwsCode(() => vizzlyEntry.createSigner({ privateKey: keys.privateKey, ttlInMinutes: -1 }), 'ERR_INVALID_OPTION', 'ttlInMinutes');
  });
});

describe('Tinybird JWTs, verified with jose', () => {
  test('exactly workspace_id, name, exp, scopes, limits; HS256 with the admin token', async () => {
    const expiresAt = inAnHour();
    const scopes = [
      { type: 'PIPES:READ', resource: 'user_analytics', fixed_params: { user_id: 123, org_id: 'acme', beta: true, ratio: 0.5 } },
      { type: 'DATASOURCES:READ', resource: 'events', filter: "org_id = 'acme'" },
      { type: 'DATASOURCES:APPEND', resource: 'user_events' },
      { type: 'PIPES:READ', resource: 'top_events' },
    ];
    // A scope filter is checked by the SQL parser, which only scopemint/server has.
    const serverSigner = serverEntry.createSigner({ secret: ADMIN_TOKEN, workspaceId: 'ws_123' });
    const result = serverSigner.createJWT({ name: 'multi_scope_token', expiresAt, scopes, limits: { rps: 10 } });
    assert.deepEqual(Object.keys(result), ['token']);
    const { payload, protectedHeader } = await jose.jwtVerify(result.token, tinybirdKey, { algorithms: ['HS256'] });
    assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual(Object.keys(payload), ['workspace_id', 'name', 'exp', 'scopes', 'limits']);
    assert.equal(payload.workspace_id, 'ws_123');
    assert.equal(payload.name, 'multi_scope_token');
    assert.equal(payload.exp, Math.floor(expiresAt.getTime() / 1000));
    assert.deepEqual(payload.scopes, scopes);
    for (const scope of payload.scopes) {
      assert.ok(Object.keys(scope).every((key) => ['type', 'resource', 'fixed_params', 'filter'].includes(key)));
    }
    assert.deepEqual(payload.limits, { rps: 10 });
    assert.equal(decode(result.token).profile, 'tinybird');
  });

  test('no limits member without limits; expiresAt as Date, seconds or ISO string', async () => {
    const seconds = Math.floor(Date.now() / 1000) + 600;
    for (const expiresAt of [new Date(seconds * 1000), seconds, new Date(seconds * 1000).toISOString(), seconds + 0.9]) {
      const { token } = tinybirdSigner.createJWT(tinybirdParams({ expiresAt }));
      const { payload } = await jose.jwtVerify(token, tinybirdKey);
      assert.deepEqual(Object.keys(payload), ['workspace_id', 'name', 'exp', 'scopes']);
      assert.equal(payload.exp, seconds, String(expiresAt));
    }
  });

  test('workspaceId in the call overrides the signer', async () => {
    const { token } = tinybirdSigner.createJWT(tinybirdParams({ workspaceId: 'ws_other' }));
    assert.equal((await jose.jwtVerify(token, tinybirdKey)).payload.workspace_id, 'ws_other');
    const bare = createSigner({ secret: ADMIN_TOKEN });
    const { token: own } = bare.createJWT(tinybirdParams({ workspaceId: 'ws_9' }));
    assert.equal((await jose.jwtVerify(own, tinybirdKey)).payload.workspace_id, 'ws_9');
  });

  test('a different admin token does not verify', async () => {
    const { token } = tinybirdSigner.createJWT(tinybirdParams());
    await assert.rejects(jose.jwtVerify(token, new TextEncoder().encode(`${ADMIN_TOKEN}x`)), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});

describe('Tinybird field rules', () => {
  const jwt = (params) => () => tinybirdSigner.createJWT(params);
  const withScope = (scope) => jwt(tinybirdParams({ scopes: [scope] }));

  test('createJWT on a non-HS256 signer is ERR_KEY_INVALID', () => {
    throwsCode(() => createSigner({ privateKey: keys.privateKey, workspaceId: 'ws' }).createJWT(tinybirdParams()), 'ERR_KEY_INVALID');
    throwsCode(() => createSigner({ secret: 'x'.repeat(48), algorithm: 'HS384', workspaceId: 'ws' }).createJWT(tinybirdParams()), 'ERR_KEY_INVALID');
  });

  test('workspace id, name', () => {
    throwsCode(() => createSigner({ secret: ADMIN_TOKEN }).createJWT(tinybirdParams()), 'ERR_INVALID_OPTION', 'workspaceId');
    throwsCode(jwt(tinybirdParams({ workspaceId: ' ' })), 'ERR_INVALID_OPTION', 'workspaceId');
    throwsCode(jwt(tinybirdParams({ name: undefined })), 'ERR_INVALID_OPTION', 'name');
    throwsCode(jwt(tinybirdParams({ name: '' })), 'ERR_INVALID_OPTION', 'name');
    throwsCode(jwt(tinybirdParams({ name: 7 })), 'ERR_INVALID_OPTION', 'name');
  });

  test('expiresAt: required, a valid instant, in the future', () => {
    throwsCode(jwt(tinybirdParams({ expiresAt: undefined })), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(jwt(tinybirdParams({ expiresAt: null })), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(jwt(tinybirdParams({ expiresAt: new Date(NaN) })), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(jwt(tinybirdParams({ expiresAt: 'in an hour' })), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(jwt(tinybirdParams({ expiresAt: Date.now() + 3600_000 })), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(jwt(tinybirdParams({ expiresAt: new Date(Date.now() - 1000) })), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(jwt(tinybirdParams({ expiresAt: Math.floor(Date.now() / 1000) - 1 })), 'ERR_INVALID_OPTION', 'expiresAt');
  });

  test('scopes: at least one, of the three JWT types, with valid resource names', () => {
    throwsCode(jwt(tinybirdParams({ scopes: [] })), 'ERR_INVALID_OPTION', 'scopes');
    throwsCode(jwt(tinybirdParams({ scopes: undefined })), 'ERR_INVALID_OPTION', 'scopes');
    throwsCode(withScope({ type: 'PIPES:DROP', resource: 'p' }), 'ERR_INVALID_OPTION', 'scopes[0].type');
    throwsCode(withScope({ type: 'ADMIN', resource: 'p' }), 'ERR_INVALID_OPTION', 'scopes[0].type');
    throwsCode(withScope({ type: 'pipes:read', resource: 'p' }), 'ERR_INVALID_OPTION', 'scopes[0].type');
    throwsCode(withScope({ type: 'PIPES:READ', resource: '1pipe' }), 'ERR_INVALID_OPTION', 'scopes[0].resource');
    throwsCode(withScope({ type: 'PIPES:READ', resource: 'my-pipe' }), 'ERR_INVALID_OPTION', 'scopes[0].resource');
    throwsCode(withScope({ type: 'PIPES:READ', resource: '' }), 'ERR_INVALID_OPTION', 'scopes[0].resource');
    throwsCode(withScope({ type: 'PIPES:READ', resource: 'p', scope: 'x' }), 'ERR_INVALID_OPTION', 'scopes[0].scope');
    throwsCode(
      jwt(tinybirdParams({ scopes: [PIPE_SCOPE, { type: 'DATASOURCES:APPEND', resource: 'bad name' }] })),
      'ERR_INVALID_OPTION',
      'scopes[1].resource',
    );
  });

  test('fixed_params: PIPES:READ only; values are strings, numbers or booleans', () => {
    throwsCode(withScope({ type: 'DATASOURCES:READ', resource: 'events', fixed_params: { user_id: 1 } }), 'ERR_INVALID_OPTION', 'scopes[0].fixed_params');
    throwsCode(withScope({ type: 'DATASOURCES:APPEND', resource: 'events', fixed_params: {} }), 'ERR_INVALID_OPTION', 'scopes[0].fixed_params');
    throwsCode(withScope({ type: 'PIPES:READ', resource: 'p', fixed_params: { user_id: { id: 1 } } }), 'ERR_INVALID_OPTION', 'scopes[0].fixed_params.user_id');
    throwsCode(withScope({ type: 'PIPES:READ', resource: 'p', fixed_params: { ids: [1, 2] } }), 'ERR_INVALID_OPTION', 'scopes[0].fixed_params.ids');
    throwsCode(withScope({ type: 'PIPES:READ', resource: 'p', fixed_params: { user_id: null } }), 'ERR_INVALID_OPTION', 'scopes[0].fixed_params.user_id');
    throwsCode(withScope({ type: 'PIPES:READ', resource: 'p', fixed_params: 'user_id=1' }), 'ERR_INVALID_OPTION', 'scopes[0].fixed_params');
  });

  test('filter: DATASOURCES:READ only, and not empty', () => {
    throwsCode(withScope({ type: 'PIPES:READ', resource: 'p', filter: 'a = 1' }), 'ERR_INVALID_OPTION', 'scopes[0].filter');
    throwsCode(withScope({ type: 'DATASOURCES:APPEND', resource: 'e', filter: 'a = 1' }), 'ERR_INVALID_OPTION', 'scopes[0].filter');
    throwsCode(withScope({ type: 'DATASOURCES:READ', resource: 'e', filter: '  ' }), 'ERR_INVALID_OPTION', 'scopes[0].filter');
  });

  test('limits.rps: a positive integer', () => {
    for (const rps of [0, 1.5, '10', -1, null, true]) {
      throwsCode(jwt(tinybirdParams({ limits: { rps } })), 'ERR_INVALID_OPTION', 'limits.rps');
    }
    throwsCode(jwt(tinybirdParams({ limits: { rps: 1, burst: 2 } })), 'ERR_INVALID_OPTION', 'limits.burst');
  });

  test('unknown fields are refused, by name', () => {
    throwsCode(jwt(tinybirdParams({ expires_at: 1 })), 'ERR_INVALID_OPTION', 'expires_at');
    throwsCode(jwt(tinybirdParams({ exp: 1 })), 'ERR_INVALID_OPTION', 'exp');
  });

  // options::from_json names a missing field in `claim` only at the top level;
  // below it the claim is the parent ("scopes[0]"), so the field is lost.
  test('a missing nested field is named in .claim', () => {
    throwsCode(withScope({ type: 'PIPES:READ' }), 'ERR_INVALID_OPTION', 'scopes[0].resource');
  });

  // https://www.tinybird.co/docs/forward/administration/tokens/jwt: `limits` is optional and so is
  // `rps` in it (the SDK's JWTLimits); rps <= 0 reads as "no limit" there, so minting it is refused.
  test('limits: {} is minted as given; rps must be a positive whole number', () => {
    const { token } = tinybirdSigner.createJWT(tinybirdParams({ limits: {} }));
    assert.deepEqual(payloadOf(token).limits, {});
    for (const rps of [0, -1, 2.5, '5']) throwsCode(jwt(tinybirdParams({ limits: { rps } })), 'ERR_INVALID_OPTION', 'limits.rps');
  });
});

describe('Embeddable security tokens, verified with jose', () => {
  test('securityTokenId (UUID v4), the request fields, iat, exp = iat + expiryInSeconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { token } = embeddableSigner.signSecurityToken(EMBEDDABLE);
    const after = Math.floor(Date.now() / 1000);
    const { payload, protectedHeader } = await jose.jwtVerify(token, embeddableKey, { algorithms: ['HS256'] });
    assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual(Object.keys(payload), [
      'securityTokenId', 'embeddableId', 'securityContext', 'user', 'dashboardState', 'environment', 'iat', 'exp',
    ]);
    assert.match(payload.securityTokenId, UUID_V4);
    assert.equal(payload.embeddableId, EMBEDDABLE.embeddableId);
    assert.deepEqual(payload.securityContext, EMBEDDABLE.securityContext);
    assert.equal(payload.user, EMBEDDABLE.user);
    assert.equal(payload.dashboardState, EMBEDDABLE.dashboardState);
    assert.equal(payload.environment, EMBEDDABLE.environment);
    assert.ok(Number.isInteger(payload.iat) && payload.iat >= before && payload.iat <= after);
    assert.equal(payload.exp, payload.iat + EMBEDDABLE.expiryInSeconds);
    assert.equal(decode(token).profile, 'embeddable');
  });

  test('optional fields are left out; each token gets a fresh id', async () => {
    const { dashboardState, environment, ...required } = EMBEDDABLE;
    const first = (await jose.jwtVerify(embeddableSigner.signSecurityToken(required).token, embeddableKey)).payload;
    const second = (await jose.jwtVerify(embeddableSigner.signSecurityToken(required).token, embeddableKey)).payload;
    assert.deepEqual(Object.keys(first), ['securityTokenId', 'embeddableId', 'securityContext', 'user', 'iat', 'exp']);
    assert.notEqual(first.securityTokenId, second.securityTokenId);
  });

  test('an ES256 signer works too', async () => {
    const { token } = createSigner({ privateKey: keys.privateKey }).signSecurityToken(EMBEDDABLE);
    const { payload } = await jose.jwtVerify(token, vizzlyKey, { algorithms: ['ES256'] });
    assert.equal(payload.exp - payload.iat, EMBEDDABLE.expiryInSeconds);
  });

  test('embeddableTokenRequest: the validated Tokens API body, unchanged', () => {
    assert.deepEqual(embeddableTokenRequest(EMBEDDABLE), EMBEDDABLE);
    const { dashboardState, environment, ...required } = EMBEDDABLE;
    assert.deepEqual(embeddableTokenRequest(required), required);
  });
});

describe('Embeddable field rules (signSecurityToken and embeddableTokenRequest)', () => {
  const both = (params, claim) => {
    throwsCode(() => embeddableSigner.signSecurityToken(params), 'ERR_INVALID_OPTION', claim);
    throwsCode(() => embeddableTokenRequest(params), 'ERR_INVALID_OPTION', claim);
  };

  test('expiryInSeconds: a positive whole number', () => {
    for (const expiryInSeconds of [0, -60, 1.5, '3600', null, 1e20]) both({ ...EMBEDDABLE, expiryInSeconds }, 'expiryInSeconds');
    both({ ...EMBEDDABLE, expiryInSeconds: undefined }, 'expiryInSeconds');
  });

  test('user, embeddableId, dashboardState, environment: non-empty strings', () => {
    both({ ...EMBEDDABLE, user: undefined }, 'user');
    both({ ...EMBEDDABLE, user: '' }, 'user');
    both({ ...EMBEDDABLE, embeddableId: ' ' }, 'embeddableId');
    both({ ...EMBEDDABLE, embeddableId: undefined }, 'embeddableId');
    both({ ...EMBEDDABLE, dashboardState: '' }, 'dashboardState');
    both({ ...EMBEDDABLE, environment: '' }, 'environment');
  });

  test('securityContext: a required object', () => {
    both({ ...EMBEDDABLE, securityContext: undefined }, 'securityContext');
    both({ ...EMBEDDABLE, securityContext: ['us-east'] }, 'securityContext');
    both({ ...EMBEDDABLE, securityContext: 'userId=1' }, 'securityContext');
  });

  test('unknown fields are refused, by name', () => {
    both({ ...EMBEDDABLE, apiKey: 'secret' }, 'apiKey');
    both({ ...EMBEDDABLE, exp: 1 }, 'exp');
  });
});

describe('parseScope / formatScope: Tinybird static-token scopes', () => {
  const FORMS = [
    ['DATASOURCES:CREATE', { type: 'DATASOURCES:CREATE' }],
    ['DATASOURCES:APPEND:events', { type: 'DATASOURCES:APPEND', resource: 'events' }],
    ['DATASOURCES:DROP:events', { type: 'DATASOURCES:DROP', resource: 'events' }],
    ['DATASOURCES:READ:events', { type: 'DATASOURCES:READ', resource: 'events' }],
    ["DATASOURCES:READ:events:org_id = 'acme'", { type: 'DATASOURCES:READ', resource: 'events', filter: "org_id = 'acme'" }],
    ['PIPES:CREATE', { type: 'PIPES:CREATE' }],
    ['PIPES:DROP:top_pages', { type: 'PIPES:DROP', resource: 'top_pages' }],
    ['PIPES:READ:top_pages', { type: 'PIPES:READ', resource: 'top_pages' }],
    ['PIPES:READ:top_pages:user_id = 123', { type: 'PIPES:READ', resource: 'top_pages', filter: 'user_id = 123' }],
    ['TOKENS', { type: 'TOKENS' }],
    ['ADMIN', { type: 'ADMIN' }],
  ];

  test('all nine forms (both filter variants) parse and format back', () => {
    for (const [text, scope] of FORMS) {
      assert.deepEqual(parseScope(text), scope, text);
      assert.equal(serverEntry.formatScope(scope), text);
      // The main entry has no SQL parser: it formats scopes without a filter only.
      if (scope.filter === undefined) assert.equal(formatScope(scope), text);
      else throwsCode(() => formatScope(scope), 'ERR_FILTER_UNCHECKED', 'filter');
    }
  });

  test('a filter may contain colons: everything after the resource is the filter', () => {
    const text = "DATASOURCES:READ:events:ts > '2024-01-01 10:00:00' AND tag = 'a:b'";
    const scope = parseScope(text);
    assert.deepEqual(scope, { type: 'DATASOURCES:READ', resource: 'events', filter: "ts > '2024-01-01 10:00:00' AND tag = 'a:b'" });
    assert.equal(serverEntry.formatScope(scope), text);
    assert.equal(parseScope('PIPES:READ:p::').filter, ':');
  });

  test('bad scope strings are ERR_SCOPE_INVALID', () => {
    const bad = [
      '', 'ADMINX', 'admin', 'pipes:read:p', 'PIPES:WRITE:p', 'PIPES', 'DATASOURCES', 'DATASOURCES:READX:e',
      'ADMIN:', 'ADMIN:x', 'TOKENS:all', 'PIPES:CREATE:p', 'DATASOURCES:CREATE:events',
      'PIPES:READ', 'PIPES:READ:', 'DATASOURCES:APPEND', 'PIPES:DROP:x:y', 'DATASOURCES:APPEND:e:a = 1',
      'DATASOURCES:READ:1bad', 'DATASOURCES:READ:ev*', 'PIPES:READ:my-pipe', 'DATASOURCES:READ:events:  ', 'PIPES:READ:p:',
    ];
    for (const text of bad) {
      const error = throwsCode(() => parseScope(text), 'ERR_SCOPE_INVALID');
      assert.ok(error.message.includes(`"${text}"`) || text === '', `${text}: ${error.message}`);
    }
  });

  test('formatScope refuses shapes the type does not take', () => {
    const bad = [
      { type: 'NOPE' },
      { type: 'TOKENS', resource: 'x' },
      { type: 'ADMIN', filter: 'a = 1' },
      { type: 'PIPES:READ' },
      { type: 'PIPES:DROP', resource: 'x', filter: 'a = 1' },
      { type: 'DATASOURCES:APPEND', resource: 'e', filter: 'a = 1' },
      { type: 'PIPES:READ', resource: '1x' },
      { type: 'PIPES:READ', resource: 'a:b' },
      { type: 'DATASOURCES:READ', resource: 'e', filter: ' ' },
    ];
    for (const scope of bad) throwsCode(() => formatScope(scope), 'ERR_SCOPE_INVALID');
    throwsCode(() => formatScope({ type: 'ADMIN', extra: 1 }), 'ERR_INVALID_OPTION', 'extra');
  });
});

describe('decode names the profile', () => {
  test('for each vendor shape, and null for a plain token', () => {
    const tokens = vizzlySigner.generateTokens(IDENTITY);
    assert.equal(decode(tokens.dashboardAccessToken).profile, 'vizzly-dashboard');
    assert.equal(decode(tokens.dataAccessToken).profile, 'vizzly-data');
    assert.equal(decode(tokens.queryEngineAccessToken).profile, 'vizzly-query-engine');
    assert.equal(decode(tinybirdSigner.createJWT(tinybirdParams()).token).profile, 'tinybird');
    assert.equal(decode(embeddableSigner.signSecurityToken(EMBEDDABLE).token).profile, 'embeddable');
    assert.equal(decode(createSigner({ secret: ADMIN_TOKEN, ttlSeconds: 60 }).sign({ sub: 'u' })).profile, null);
  });

  test('a Vizzly token decodes with expiresAt from expires', () => {
    const token = vizzlySigner.signDashboardAccessToken(DASHBOARD);
    const decoded = decode(token);
    assert.equal(decoded.expiresAt.toISOString(), decoded.payload.expires);
    assert.equal(decoded.issuedAt, null);
    assert.equal(decoded.expired, false);
    assert.ok(Math.abs(decoded.secondsLeft - TTL_MINUTES * 60) <= 1);
  });
});
