/**
 * The console in a real browser (Debian's chromium driven by playwright-core) against a real Warden:
 * sign in, a denied request appearing live and its explanation, revoking a key from the principal page
 * (the next request is refused), re-deciding recorded traffic under a policy edit, working an incident
 * (acknowledge, contain, note, resolve), verifying the audit log; axe-core on every page with no serious violation; markup in every
 * user-controlled field inert; no CSP violation; an auditor refused an analyst action; a cross-site form
 * refused; a session refused after sign-out. `UPDATE_SCREENSHOTS=1` writes each page's screenshot to
 * docs/console/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { base32Decode, hotp } from '../../src/mfa/totp.js';
import { ROOT } from '../helpers/warden-process.js';
import { seed, startConsoleFixture, XSS, XSS_TOKEN, type ConsoleFixture } from './fixture.js';

// What the functions evaluated in the page see (the test's own lib has no DOM).
declare const window: { __xss?: number; axe: { run(): Promise<{ violations: { id: string; impact: string; help: string; nodes: unknown[] }[] }> } };
declare const document: { querySelectorAll(selector: string): { length: number } };
declare function fetch(url: string, init?: { method?: string; headers?: Record<string, string> }): Promise<{ status: number; json(): Promise<unknown> }>;

const skip = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}: install Debian's chromium to run the console's browser tests`;
// The screenshots in docs/console/ are refreshed on demand (UPDATE_SCREENSHOTS=1), not by every run.
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'console') : join(tmpdir(), 'warden-console-shots');
const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

let f: ConsoleFixture;
let browser: Browser;
let page: Page;
const cspViolations: string[] = [];

before(async () => {
  if (skip) return;
  f = await startConsoleFixture();
  await seed(f);
  browser = await launchChromium();
  // One context: a second page (the attacker's) shares the signed-in session's cookie jar.
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/.test(msg.text())) cspViolations.push(msg.text());
  });
  page.on('dialog', (dialog) => void dialog.accept());
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await f?.stop();
});

/** axe-core in the page (evaluated over the DevTools protocol: the page's CSP rightly forbids injected scripts). */
async function assertAccessible(name: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run();
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} ×${v.nodes.length}`);
  });
  assert.deepEqual(violations, [], `${name}: serious accessibility violations`);
}

async function assertInert(): Promise<void> {
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'markup ran');
  assert.equal(await page.locator('img[src="x"], svg[onload], script:not([src])').count(), 0, 'markup became elements');
}

async function open(path: string, ready: string): Promise<void> {
  await page.locator(`nav a[href="/ui/${path}"]`).click();
  await page.getByRole('heading', { level: 2, name: ready }).first().waitFor();
}

async function shot(name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

test('sign in, watch a denied request arrive live and open its explanation', { skip }, async () => {
  await page.goto(`${f.warden.url}/ui/`);
  await page.getByLabel('API key').fill(f.keys.ana);
  await assertAccessible('sign-in');
  await page.screenshot({ path: join(SHOTS, 'sign-in.png') });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Decisions per minute' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  await assertAccessible('overview');
  await shot('overview');

  await open('decisions', 'Decisions');
  await page.getByRole('table', { name: 'Decisions' }).waitFor();
  const before = await page.locator('tr[data-decision]').count();
  assert.equal(await f.chat(f.keys.mallory), 403);
  // The new row arrives over the live stream, without a reload.
  await page.waitForFunction((n) => document.querySelectorAll('tr[data-decision]').length > n, before);
  const row = page.locator('tr[data-decision]').first();
  assert.match(await row.innerText(), /User::mallory/);
  assert.match(await row.innerText(), /deny/);
  await row.getByRole('link').click();
  const why = page.getByRole('complementary', { name: 'Decision explanation' });
  await why.getByText('strangers-denied').first().waitFor();
  // The policy's text and its annotation (markup) are shown as text.
  assert.ok((await why.innerText()).includes(XSS));
  assert.match(await why.innerText(), /forbid/);
  assert.match(await why.innerText(), /Risk at decision/);
  await assertInert();
  await assertAccessible('decisions');
  await shot('decisions');
});

test('markup in principal ids and user agents is shown as text', { skip }, async () => {
  await page.locator('nav a[href="/ui/decisions"]').click();
  await page.getByRole('table', { name: 'Decisions' }).getByText(`User::${XSS}`).first().waitFor();
  const mallory = page.locator('tr[data-decision]', { hasText: 'User::mallory' }).last();
  await mallory.getByRole('link').click();
  await page.getByRole('complementary', { name: 'Decision explanation' }).getByText('<script>window.__xss=1</script>').first().waitFor();
  await assertInert();
});

test('revoke a key from the principal page; the next request with it is refused', { skip }, async () => {
  await open('principals', 'Principals by current risk');
  await assertAccessible('principals');
  await shot('principals');
  await page.getByRole('link', { name: 'User::alice' }).click();
  await page.getByRole('heading', { name: 'Risk over time' }).waitFor();
  await page.getByRole('table', { name: 'Keys' }).waitFor();
  await assertAccessible('principal');
  await shot('principal');
  assert.equal(await f.chat(f.keys.alice), 200);
  await page.getByRole('button', { name: /^Revoke key/ }).first().click();
  await page.getByRole('table', { name: 'Keys' }).getByText('revoked').waitFor();
  assert.equal(await f.chat(f.keys.alice), 401);
});

test('check a policy edit against recorded traffic', { skip }, async () => {
  await open('policies', 'Versions');
  const editor = page.getByLabel(/Policy text of/);
  await page.getByLabel('File').selectOption('console.cedar');
  await editor.fill(`${await editor.inputValue()}\n@id("no-mallory-reprieve")\npermit (principal == Warden::User::"mallory", action, resource is Warden::Model);\n@id("block-hostile")\nforbid (principal, action, resource) when { principal has clearance && principal.clearance == 2 };\n`);
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByText('The edit is valid.').waitFor();
  await page.getByRole('button', { name: 'Re-decide recorded traffic' }).click();
  const result = page.getByRole('status', { name: 'Re-decision result' });
  await result.waitFor();
  const text = await result.innerText();
  const changed = Number(/(\d+) of (\d+) recorded decisions/.exec(text)?.[1]);
  assert.ok(changed >= 1, text);
  assert.match(text, /User::alice/, 'alice (clearance 2) was allowed and would now be denied');
  await assertAccessible('policies');
  await shot('policies');
});

test('work an incident from the response module: acknowledge, contain, note, resolve', { skip }, async () => {
  // The seeded brute force (high severity) opens an incident for the markup-named user.
  await f.waitForIncident(`User::${XSS_TOKEN}`);
  await open('incidents', 'Incidents');
  await page.getByRole('table', { name: 'Incidents' }).getByText(`User::${XSS_TOKEN}`).first().waitFor();
  await assertInert();
  await page.getByRole('table', { name: 'Incidents' }).getByRole('link').first().click();
  const detail = page.locator('section.split-side');
  await detail.getByRole('heading', { name: 'Timeline' }).waitFor();
  await detail.getByRole('button', { name: 'Acknowledge' }).click();
  await detail.locator('.state-acknowledged').first().waitFor();
  await detail.getByRole('button', { name: 'Contain' }).click();
  await detail.locator('.state-contained').first().waitFor();
  await detail.getByPlaceholder('Add a note').fill(`checked the sshd log ${XSS}`);
  await detail.getByRole('button', { name: 'Add note' }).click();
  await detail.locator('.note-inline', { hasText: `checked the sshd log ${XSS}` }).waitFor();
  await assertInert();
  await assertAccessible('incidents');
  await shot('incidents');
  await detail.getByLabel('Resolution', { exact: true }).selectOption('true_positive');
  await detail.getByLabel('Resolution note').fill('keys rotated');
  await detail.getByRole('button', { name: 'Resolve' }).click();
  await detail.locator('.state-resolved').first().waitFor();
  const id = (await detail.locator('dd.mono').first().innerText()).trim();
  const stored = (await (await f.admin('GET', `/incidents/${encodeURIComponent(id)}`)).json()) as { state: string; resolution: string; notes: { author: string; text: string }[]; timeline: { actor?: string }[] };
  assert.equal(stored.state, 'resolved');
  assert.equal(stored.resolution, 'true_positive');
  assert.ok(stored.notes.some((n) => n.author === 'User::ana' && n.text.includes('sshd')), 'the note is the analyst’s');
  // The overview shows the incident's time to detect and contain.
  await open('overview', 'Time to detect and to contain (daily mean, 30 days)');
  await page.locator('.recharts-legend-item-text', { hasText: 'to contain' }).waitFor();
  const trend = await page.evaluate(async () => (await (await fetch('/ui/api/incidents/overview?days=30')).json()) as { perDay: { timeToDetectSeconds: number | null; timeToContainSeconds: number | null }[] });
  assert.ok(trend.perDay.some((d) => d.timeToDetectSeconds !== null && d.timeToContainSeconds !== null), JSON.stringify(trend.perDay));
});

test('assets, audit and compliance pages; verify the audit log', { skip }, async () => {
  await open('assets', 'Assets');
  await page.getByText(XSS).first().waitFor();
  await page.locator('.react-flow__node').first().waitFor();
  await assertInert();
  await assertAccessible('assets');
  await shot('assets');
  // The analyst holds no approver role: the two-person rule's approval is refused server-side.
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('alert').getByText('forbidden').waitFor();

  await open('audit', 'Latest signed checkpoint');
  await page.getByRole('button', { name: 'Verify the whole log' }).click();
  await page.getByText(/Intact: /).waitFor({ timeout: 30_000 });
  await page.getByLabel('Entry index').fill('3');
  await page.getByRole('button', { name: 'Prove inclusion' }).click();
  await page.getByLabel('Inclusion proof').waitFor();
  await assertAccessible('audit');
  await shot('audit');

  await open('compliance', 'Warden controls and evidence');
  await page.getByText('OWASP LLM Top 10 (2025)').waitFor();
  await assertAccessible('compliance');
  await shot('compliance');
  assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation on any page');
});

test('an auditor is refused an analyst action; a session is refused after sign-out', { skip }, async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').waitFor();
  assert.equal(await page.evaluate(async () => (await fetch('/ui/api/overview')).status), 401);
  await page.getByLabel('API key').fill(f.keys.aud);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  const status = await page.evaluate(async () => {
    const s = (await (await fetch('/ui/api/session')).json()) as { csrfToken: string };
    return (await fetch('/ui/api/admin/keys/any', { method: 'DELETE', headers: { 'x-csrf-token': s.csrfToken } })).status;
  });
  assert.equal(status, 403);
  // A page on another site posts a form at an analyst action while the auditor is signed in: the browser
  // sends no cookie (SameSite=Strict), and Warden would refuse its Origin anyway.
  const attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<form method="POST" enctype="text/plain" action="${f.warden.url}/ui/api/audit/verification"><input name="x" value="1"></form><script>document.forms[0].submit()</script>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, 'localhost', resolve));
  try {
    const other = await page.context().newPage();
    await other.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
    await other.waitForURL(/\/ui\/api\/audit\/verification/);
    assert.match(await other.content(), /unauthenticated|csrf_rejected/);
    await other.close();
  } finally {
    attacker.close();
  }
  // After sign-out the session is refused, whatever the browser still holds.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').waitFor();
  assert.equal(await page.evaluate(async () => (await fetch('/ui/api/session')).status), 401);
});

test('an admin action asks for a factor, and goes through once a code is verified', { skip }, async () => {
  const enrol = (await (await f.admin('POST', '/mfa/totp', { principal: 'root', label: 'browser test' })).json()) as { factorId: string; secret: string };
  const seed = base32Decode(enrol.secret);
  const step = Math.floor(Date.now() / 30_000);
  assert.equal((await f.admin('POST', '/mfa/totp/confirm', { principal: 'root', factorId: enrol.factorId, code: hotp(seed, step - 1) })).status, 200);
  await page.getByLabel('API key').fill(f.keys.root);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await open('policies', 'Versions');
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByText('The edit is valid.').waitFor();
  await page.getByRole('button', { name: 'Activate' }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await dialog.waitFor();
  await assertAccessible('fresh MFA dialog');
  await dialog.getByLabel('Code').fill('000000');
  await dialog.getByRole('button', { name: 'Verify' }).click();
  await dialog.getByRole('alert').getByText('mfa_verification_failed').waitFor();
  await dialog.getByLabel('Code').fill(hotp(seed, step));
  await dialog.getByRole('button', { name: 'Verify' }).click();
  // The refused activation is retried after the verification and succeeds.
  await page.getByText(/Version \d+ is active\./).waitFor();
  assert.equal(await dialog.count(), 0);
});
