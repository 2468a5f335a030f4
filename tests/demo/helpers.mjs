// Shared by the demo suites: the app on 127.0.0.1 port 0, and small fetch helpers.
import assert from 'node:assert/strict';
import { createApp } from '../../examples-node/demo/server.mjs';

export async function startApp(options = {}) {
  const app = await createApp(options);
  const url = await app.listen(0);
  return { app, url };
}

export async function login(url, user) {
  const response = await fetch(`${url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
  if (!response.ok) throw new Error(`login ${user}: ${response.status}`);
  return response.json();
}

/** GET a pipe; returns { status, headers, body }. */
export async function pipe(url, name, { token, params = {}, header = true } = {}) {
  const query = new URLSearchParams(params);
  if (token && !header) query.set('token', token);
  const response = await fetch(`${url}/v0/pipes/${name}.json${query.size ? `?${query}` : ''}`, {
    headers: token && header ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Each 429 reply is ERR_RATE_LIMITED with the headers of a used-up 5 rps budget. */
export function assertRateLimited(replies) {
  for (const reply of replies) {
    assert.equal(reply.body.code, 'ERR_RATE_LIMITED');
    assert.match(reply.headers.get('retry-after'), /^[1-9]\d*$/);
    assert.equal(reply.headers.get('x-ratelimit-limit'), '5');
    assert.equal(reply.headers.get('x-ratelimit-remaining'), '0');
  }
}
