// The page in headless Chromium: pick a user, see their rows and the token
// decoded in the browser by scopemint/decode (the decode-only build), then a screenshot.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startApp } from './helpers.mjs';

const SCREENSHOT = fileURLToPath(new URL('../../test-output/demo/page.png', import.meta.url));
let app;
let url;
let browser;
let profile;

before(async () => {
  ({ app, url } = await startApp());
  // A fresh profile each run, so no cached page or storage leaks between runs.
  profile = mkdtempSync(path.join(tmpdir(), 'scopemint-demo-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1360, height: 900 },
  });
});

after(async () => {
  await browser?.close();
  await app?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('pick a user: rows of their org, decoded claims with fixed params and a live countdown', { timeout: 30_000 }, async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  await page.goto(`${url}/`);
  await page.click('button[data-user="carol"]');
  await page.waitForSelector('#rows tbody tr');
  await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('200'));

  const orgs = await page.$$eval('#rows td.col-org_id', (cells) => [...new Set(cells.map((c) => c.textContent))]);
  assert.deepEqual(orgs, ['globex']);
  const users = await page.$$eval('#rows td.col-user_id', (cells) => [...new Set(cells.map((c) => c.textContent))]);
  assert.deepEqual(users, ['201']);

  const claims = JSON.parse(await page.textContent('#claims-json'));
  assert.equal(claims.scopes[0].fixed_params.org_id, 'globex');
  assert.equal(claims.limits.rps, 5);
  const fixed = await page.$$eval('#scopes td.fixed', (cells) => cells.map((c) => c.textContent));
  assert.deepEqual(fixed, ['org_id = "globex", user_id = 201', 'org_id = "globex"']);
  assert.equal(JSON.parse(await page.textContent('#header-json')).alg, 'HS256');
  assert.match(await page.textContent('#expires-at'), /profile: tinybird/);

  // Counting down from ~15:00, and moving.
  const first = await page.textContent('#countdown');
  assert.match(first, /^1[45]:\d\d$/);
  await page.waitForFunction((shown) => document.querySelector('#countdown').textContent !== shown, first, { timeout: 3000 });

  // An override attempt from the page: still Carol's rows, and the page says so.
  await page.fill('#org_override', 'acme');
  await page.fill('#user_override', '101');
  await page.click('#run');
  await page.waitForFunction(() => /overrode/.test(document.querySelector('#status').textContent));
  const after = await page.$$eval('#rows td.col-org_id', (cells) => [...new Set(cells.map((c) => c.textContent))]);
  assert.deepEqual(after, ['globex']);
  await page.fill('#org_override', '');
  await page.fill('#user_override', '');
  await page.click('#run');
  await page.waitForFunction(() => /^200 · \d+ rows · \d+ ms$/.test(document.querySelector('#status').textContent));

  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.deepEqual(problems, []);
});
