// The demo's organisations and people. Logging in is just picking one of the
// `DEMO_USERS` (no passwords: it is a demo); the others only own seeded rows so
// that summaries have teammates in them.

export const ORGS = [
  { id: 'acme', name: 'Acme Corp' },
  { id: 'globex', name: 'Globex' },
  { id: 'initech', name: 'Initech' },
];

/** People who can log in. `userId` is numeric, like Tinybird's fixed_params examples. */
export const DEMO_USERS = [
  { login: 'alice', name: 'Alice', orgId: 'acme', userId: 101 },
  { login: 'bob', name: 'Bob', orgId: 'acme', userId: 102 },
  { login: 'carol', name: 'Carol', orgId: 'globex', userId: 201 },
  { login: 'dave', name: 'Dave', orgId: 'globex', userId: 202 },
  { login: 'erin', name: 'Erin', orgId: 'initech', userId: 301 },
];

/** Every user id that owns orders, per organisation (demo users plus some who never log in). */
export const ORG_MEMBERS = {
  acme: [101, 102, 103, 104],
  globex: [201, 202, 203],
  initech: [301, 302, 303, 304, 305],
};

export function findUser(login) {
  return DEMO_USERS.find((user) => user.login === login);
}
