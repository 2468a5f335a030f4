// The page: log in as a demo user, query a pipe with the token, and show the
// token decoded by scopemint/decode, the small decode-only build (served from /scopemint/). The
// decode is for display only; the server verifies every request.
import { decode } from '/scopemint/decode-universal.mjs';

const $ = (selector) => document.querySelector(selector);
const state = { user: null, token: null, expiresAt: null, issuedAt: null };

/** Builds an element; text only, so nothing from a token or a row is parsed as HTML. */
function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.map((child) => (child instanceof Node ? child : String(child))));
  return node;
}

async function loadUsers() {
  const { users, orgs } = await (await fetch('/api/users')).json();
  const orgName = Object.fromEntries(orgs.map((org) => [org.id, org.name]));
  $('#users').replaceChildren(
    ...users.map((user) => {
      const button = el('button', { type: 'button', className: `user org-${user.orgId}` },
        el('strong', {}, user.name), el('span', {}, `${orgName[user.orgId]} · user ${user.userId}`));
      button.dataset.user = user.login;
      button.addEventListener('click', () => login(user));
      return button;
    }),
  );
}

async function login(user) {
  const response = await fetch('/api/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: user.login }),
  });
  const tokens = await response.json();
  if (!response.ok) return showStatus(`login failed: ${tokens.code} ${tokens.error}`, 'error');
  state.user = user;
  state.token = tokens.tinybird;
  for (const button of document.querySelectorAll('.user')) button.classList.toggle('active', button.dataset.user === user.login);
  showToken(tokens);
  $('#run').disabled = false;
  await runQuery();
}

function showToken(tokens) {
  const shown = decode(tokens.tinybird);
  state.expiresAt = shown.expiresAt;
  state.issuedAt = new Date();
  $('#token-empty').hidden = true;
  $('#token').hidden = false;
  $('#header-json').textContent = JSON.stringify(shown.header, null, 2);
  $('#claims-json').textContent = JSON.stringify(shown.payload, null, 2);
  $('#expires-at').textContent = `(${shown.expiresAt.toISOString().replace('.000Z', 'Z')}, profile: ${shown.profile})`;
  $('#limits').textContent = JSON.stringify(shown.payload.limits ?? {});
  $('#scopes tbody').replaceChildren(
    ...shown.payload.scopes.map((scope) =>
      el('tr', {}, el('td', { className: 'mono' }, scope.type), el('td', { className: 'mono' }, scope.resource),
        el('td', { className: 'mono fixed' }, Object.entries(scope.fixed_params ?? {}).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ') || '—'))),
  );
  const vizzlyData = tokens.vizzly.dataAccessToken ? decode(tokens.vizzly.dataAccessToken) : { payload: {} };
  const data = vizzlyData.payload;
  // `reads`: the filters' boolean reading, as Vizzly applies them (computed by scopemint).
  $('#vizzly-json').textContent = JSON.stringify(
    { dataSetIds: data.dataSetIds, secureFilters: data.secureFilters, reads: vizzlyData.profileInfo?.secureFilters, expires: data.expires },
    null,
    2,
  );
  $('#raw').textContent = tokens.tinybird;
  tick();
}

/** The live countdown, from the decoded `exp`. */
function tick() {
  if (!state.expiresAt) return;
  const left = Math.max(0, Math.round((state.expiresAt - Date.now()) / 1000));
  const total = Math.max(1, (state.expiresAt - state.issuedAt) / 1000);
  $('#countdown').textContent = left > 0 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` : 'expired';
  $('#countdown').classList.toggle('expired', left === 0);
  $('#bar-fill').style.width = `${Math.min(100, (left / total) * 100)}%`;
}

async function runQuery() {
  if (!state.token) return;
  const pipe = $('#pipe').value;
  const params = new URLSearchParams();
  for (const id of ['start_date', 'end_date', 'org_override', 'user_override']) {
    const input = $(`#${id}`);
    if (input.value.trim() !== '' && (pipe === 'user_orders' || input.name === 'org_id')) params.set(input.name, input.value.trim());
  }
  const path = `/v0/pipes/${pipe}.json${params.size ? `?${params}` : ''}`;
  $('#request').textContent = `GET ${path}   Authorization: Bearer ${state.token.slice(0, 16)}…`;
  const started = performance.now();
  const response = await fetch(path, { headers: { authorization: `Bearer ${state.token}` } });
  const body = await response.json();
  if (!response.ok) {
    showTable([], []);
    const retry = response.headers.get('retry-after');
    return showStatus(`${response.status} ${body.code}: ${body.error}${retry ? ` (retry after ${retry}s)` : ''}`, 'error');
  }
  const overridden = response.headers.get('x-scopemint-overridden');
  showStatus(`200 · ${body.rows} rows · ${Math.round(performance.now() - started)} ms` +
    (overridden ? ` · the token overrode ${overridden} (fixed_params win)` : ''), overridden ? 'warn' : 'ok');
  showTable(body.meta, body.data);
}

function showStatus(text, kind) {
  $('#status').textContent = text;
  $('#status').className = `status ${kind}`;
}

function showTable(meta, rows) {
  $('#rows thead').replaceChildren(el('tr', {}, ...meta.map((column) => el('th', { title: column.type }, column.name))));
  $('#rows tbody').replaceChildren(...rows.map((row) => el('tr', {}, ...meta.map((column) => el('td', { className: `col-${column.name}` }, row[column.name])))));
}

$('#query').addEventListener('submit', (event) => {
  event.preventDefault();
  runQuery();
});
$('#pipe').addEventListener('change', runQuery);
setInterval(tick, 250);
loadUsers();
