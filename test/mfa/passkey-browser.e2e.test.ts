/**
 * End to end in a real browser (Debian's chromium through playwright-core, with Chrome's virtual WebAuthn
 * authenticator over CDP): enrol a passkey from an enrolment link, get stepped up, verify with the
 * passkey, retry and get through; a replayed assertion is refused.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addVirtualAuthenticator, launchChromium } from '../helpers/chromium.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

let upstream: TestUpstream;
let warden: WardenProcess;
let browser: Browser;
let page: Page;
let origin: string;
const keys: Record<string, string> = {};

before(async () => {
  upstream = await startTestUpstream('sk-upstream-secret-0123456789');
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'upstream.key'), 'sk-upstream-secret-0123456789');
  // One CLI process (the admin's key); alice's keys come from the admin API, which is quicker.
  keys.carol = (await runCli(['keys', 'create', '--principal', 'carol', '--data-dir', join(dir, 'data')])).stdout.trim().split('\n').at(-1)!;
  warden = await startWarden(
    {
      principals: [
        { id: 'alice', groups: ['engineering'], roles: ['user'] },
        { id: 'carol', groups: ['security'], roles: ['admin'] },
      ],
      upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: `file:${join(dir, 'upstream.key')}` }],
      models: [{ id: 'secure', upstream: 'main', sensitivity: 'confidential' }],
    },
    { dir },
  );
  keys.alice = await newAliceKey();
  // WebAuthn accepts no IP address as relying party: the pages are reached at localhost.
  origin = warden.url.replace('127.0.0.1', 'localhost');
  browser = await launchChromium();
  page = await browser.newPage();
  await addVirtualAuthenticator(page);
});

after(async () => {
  await browser?.close();
  await warden?.stop();
  await upstream?.close();
});

const chat = (key = keys.alice) =>
  fetch(`${warden.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'secure', messages: [{ role: 'user', content: 'hi' }] }) });

/** The challenge's URL without its `?k=` secret (the page keeps it in a cookie scoped to this path). */
const pathOf = (url: string) => url.split('?')[0]!;

async function stepUpUrl(key = keys.alice): Promise<string> {
  const res = await chat(key);
  assert.equal(res.status, 401);
  return ((await res.json()) as { error: { stepUpUrl: string } }).error.stepUpUrl;
}

test('enrol a passkey, get stepped up, verify with it, retry and get through', async () => {
  const issued = await fetch(`${warden.url}/admin/mfa/enrol-links`, { method: 'POST', headers: { authorization: `Bearer ${keys.carol}`, 'content-type': 'application/json' }, body: JSON.stringify({ principal: 'alice' }) });
  const { url } = (await issued.json()) as { url: string };
  assert.ok(url.startsWith(origin), url);
  const violations: string[] = [];
  page.on('console', (m) => m.text().includes('Content Security Policy') && violations.push(m.text()));
  await page.goto(url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${origin}/auth/factors`, { timeout: 10_000 }).catch(async (e: unknown) => assert.fail(`${String(e)}\n${page.url()}\n${await page.content()}`));
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText(/Passkey: passkey/).waitFor();

  const challengeUrl = await stepUpUrl();
  assert.ok(challengeUrl.startsWith(origin));
  await page.goto(challengeUrl);
  await page.getByRole('button', { name: 'Verify with a passkey' }).click();
  await page.waitForURL(`${pathOf(challengeUrl)}/done`);
  assert.match(await page.textContent('main') ?? '', /elevated until/);
  const retry = await chat();
  assert.equal(retry.status, 200, await retry.text());
  assert.deepEqual(violations, [], 'the pages need no inline script');
});

/** Another API key of alice's, not elevated yet (an elevation is per key). */
async function newAliceKey(): Promise<string> {
  const res = await fetch(`${warden.url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${keys.carol}`, 'content-type': 'application/json' }, body: JSON.stringify({ principal: 'alice' }) });
  return ((await res.json()) as { key: string }).key;
}

test('a replayed passkey assertion is refused', async () => {
  const first = await stepUpUrl(await newAliceKey());
  await page.goto(first);
  const captured = page.waitForRequest((r) => r.url() === `${pathOf(first)}/passkey` && r.method() === 'POST');
  await page.getByRole('button', { name: 'Verify with a passkey' }).click();
  const assertion = JSON.parse((await captured).postData()!) as { ceremonyId: string; response: unknown };
  await page.waitForURL(`${pathOf(first)}/done`);

  const second = await stepUpUrl(await newAliceKey());
  await page.goto(second);
  // A string, not a function: the test's compiler would add helpers the page does not have.
  const status = (await page.evaluate(`(async () => {
    const csrf = document.getElementById('passkey').dataset.csrf;
    const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
    const options = await (await fetch(${JSON.stringify(pathOf(second))} + '/passkey/options', { method: 'POST', headers, body: '{}' })).json();
    const replay = await fetch(${JSON.stringify(pathOf(second))} + '/passkey', { method: 'POST', headers, body: JSON.stringify({ ceremonyId: options.ceremonyId, response: ${JSON.stringify(assertion.response)} }) });
    return { status: replay.status, body: await replay.text() };
  })()`)) as { status: number; body: string };
  assert.equal(status.status, 401, status.body);
  assert.match(status.body, /mfa_verification_failed/);
});
