/**
 * Passkeys across a cluster, in a real browser: two `warden start` processes on one PostgreSQL schema
 * behind a balancer (a proxy in this test, at one public origin, since WebAuthn checks it). The proxy
 * sends every passkey options request to instance one and every passkey response to instance two, so a
 * registration and a step-up assertion each start on one instance and finish on the other (issues 12, 14).
 * Other requests alternate. Chromium's virtual authenticator over CDP plays the person's passkey.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addVirtualAuthenticator, launchChromium } from '../helpers/chromium.js';
import { sharedKeyDir } from '../audit-ha/helpers.js';
import { freshSchema, type TestSchema } from '../helpers/postgres.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const SECRET = 'sk-upstream-secret-cluster-passkey';

let schema: TestSchema;
let upstream: TestUpstream;
let proxy: Server;
let origin: string;
let browser: Browser;
let page: Page;
const instances: WardenProcess[] = [];
const keys: Record<string, string> = {};
/** Which instance (0 or 1) served each passkey request, as `<index> <method> <path>`. */
const routed: string[] = [];
/** The challenges of the passkey options the balancer passed on (none may appear in a log). */
const challenges: string[] = [];

/** Round robin, except that passkey options go to instance one and passkey responses to instance two. */
function startProxy(): Promise<Server> {
  let turn = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const index = path.endsWith('/passkey/options') ? 0 : path.endsWith('/passkey') ? 1 : turn++ % 2;
    if (path.includes('/passkey')) routed.push(`${index} ${req.method} ${path}`);
    const target = new URL(instances[index]!.url);
    const upstreamReq = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (path.endsWith('/passkey/options')) {
        let body = '';
        answer.on('data', (chunk: Buffer) => (body += chunk.toString()));
        answer.on('end', () => challenges.push((JSON.parse(body) as { options: { challenge: string } }).options.challenge));
      }
      answer.pipe(res);
    });
    upstreamReq.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstreamReq);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  schema = await freshSchema('e2e');
  upstream = await startTestUpstream(SECRET);
  proxy = await startProxy();
  // WebAuthn accepts no IP address as relying party: the balancer is reached at localhost.
  origin = `http://localhost:${(proxy.address() as AddressInfo).port}`;
  const env = { WARDEN_DATABASE_URL: schema.url };
  const cliDir = tempDir();
  for (const principal of ['carol', 'alice']) {
    const created = await runCli(['keys', 'create', '--principal', principal, '--data-dir', cliDir], env);
    assert.equal(created.code, 0, created.stderr);
    keys[principal] = created.stdout.trim().split('\n').at(-1)!;
  }
  // One KEK for both: the browser session and the step-up secret's cookie, signed by one, are read by the other.
  const shared = sharedKeyDir();
  const config = {
    principals: [
      { id: 'alice', groups: ['engineering'], roles: ['user'] },
      { id: 'carol', groups: ['security'], roles: ['admin'] },
    ],
    audit: { signingKeyFile: shared.signingKeyFile, encryption: { kekFile: shared.kekFile } },
    upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: SECRET }],
    models: [{ id: 'secure', upstream: 'main', sensitivity: 'confidential' }],
    mfa: { publicUrl: origin },
  };
  instances.push(...(await Promise.all([0, 1].map(() => startWarden(config, { logLevel: 'warn', env, startTimeoutMs: 120_000 })))));
  browser = await launchChromium();
  page = await browser.newPage();
  await addVirtualAuthenticator(page);
});

after(async () => {
  await browser?.close();
  for (const instance of instances) await instance.stop();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  await upstream?.close();
  await schema?.close();
});

const chat = (base: string) =>
  fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.alice}` }, body: JSON.stringify({ model: 'secure', messages: [{ role: 'user', content: 'hi' }] }) });

test('a passkey registered and used for a step-up, each ceremony started on one instance and finished on the other', async () => {
  const issued = await fetch(`${origin}/admin/mfa/enrol-links`, { method: 'POST', headers: { authorization: `Bearer ${keys.carol}`, 'content-type': 'application/json' }, body: JSON.stringify({ principal: 'alice' }) });
  assert.equal(issued.status, 201, await issued.clone().text());
  const { url } = (await issued.json()) as { url: string };
  await page.goto(url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${origin}/auth/factors`, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText(/Passkey: passkey/).waitFor();

  const challenged = await chat(origin);
  assert.equal(challenged.status, 401);
  const { stepUpUrl } = ((await challenged.json()) as { error: { stepUpUrl: string } }).error;
  await page.goto(stepUpUrl);
  await page.getByRole('button', { name: 'Verify with a passkey' }).click();
  await page.waitForURL(`${stepUpUrl.split('?')[0]}/done`);

  assert.deepEqual(
    routed.map((r) => r.replace(/step-up\/[^/]+/, 'step-up/<id>')),
    ['0 POST /auth/factors/passkey/options', '1 POST /auth/factors/passkey', '0 POST /auth/step-up/<id>/passkey/options', '1 POST /auth/step-up/<id>/passkey'],
  );
  assert.equal(challenges.length, 2);
  for (const challenge of challenges) for (const instance of instances) assert.ok(!instance.output().includes(challenge), 'a ceremony challenge is never logged');
  // The instance that verified the assertion holds the key's elevation.
  const retry = await chat(instances[1]!.url);
  assert.equal(retry.status, 200, await retry.text());
});
