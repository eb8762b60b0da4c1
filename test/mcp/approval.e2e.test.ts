/**
 * End to end with the official SDK client, through Warden processes over HTTP: a tool call that needs
 * step-up names where the person completes it, and the session rule's `@approval("person")` names where a
 * person approves; both are the step-up flow (a TOTP code verified on the challenge page elevates the API
 * key the call used), after which the retried call passes with that key only. Without MFA, the old answers.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startDemoMcpServer, type DemoMcpServer } from '../../src/demo/mcp-tools.js';
import { openDatabase } from '../../src/store/database.js';
import { base32Decode, totpCode } from '../../src/mfa/totp.js';
import { PageClient } from '../helpers/browserless.js';
import { eventually } from '../helpers/eventually.js';
import { sqliteKeyStore } from '../helpers/key-store.js';
import { startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const TOKEN = 'tools-credential-of-warden';
let demo: DemoMcpServer;
const clients: Client[] = [];

/** A Warden process and the API keys in its store. */
interface Instance {
  warden?: WardenProcess;
  keys: Record<string, string>;
}
const mfaOn: Instance = { keys: {} };
const mfaOff: Instance = { keys: {} };

function urlOf(instance: Instance): string {
  return instance.warden!.url;
}

/** The demo's MCP policies as shipped, and one step-up rule: an engineer deletes only with fresh MFA. */
function writePolicies(dir: string): string {
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  writeFileSync(join(policies, 'mcp.cedar'), readFileSync(new URL('../../demo/policies/mcp.cedar', import.meta.url), 'utf8'));
  writeFileSync(join(policies, 'step-up.cedar'), `
@id("test-engineer-delete-needs-mfa")
@on_deny("step_up")
@acr_values("mfa")
forbid (principal in Warden::Group::"engineering", action == Warden::Action::"call_tool", resource is Warden::Tool)
when { resource.destructive }
unless { context.authn.mfa };
`);
  return policies;
}

async function start(instance: Instance, mfa: Record<string, unknown>): Promise<void> {
  const dir = tempDir();
  const dataDir = join(dir, 'data');
  writeFileSync(join(dir, 'tools.key'), TOKEN);
  const db = openDatabase(dataDir);
  const store = await sqliteKeyStore(db);
  for (const name of ['bob', 'carol', 'helpdesk-bot']) instance.keys[name] = (await store.create({ principal: name })).key;
  // A second key of the same agent: an approval elevates the key the call used, not the agent.
  instance.keys['helpdesk-bot-2'] = (await store.create({ principal: 'helpdesk-bot' })).key;
  db.close();
  instance.warden = await startWarden(
    {
      policy: { dir: writePolicies(dir) },
      mfa,
      principals: [
        { id: 'alice', kind: 'User', groups: ['engineering'], roles: ['user'] },
        { id: 'bob', kind: 'User', groups: ['engineering'], roles: ['user'] },
        { id: 'carol', kind: 'User', groups: ['security'], roles: ['admin'] },
        { id: 'helpdesk-bot', kind: 'Agent', groups: ['agents'], mayActFor: ['alice'] },
      ],
      mcp: { servers: [{ name: 'demo-tools', url: demo.url, apiKey: `file:${join(dir, 'tools.key')}`, pinning: 'trust-first-use' }] },
    },
    { dir, logLevel: 'info' },
  );
}

async function connect(instance: Instance, key: string, onBehalfOf?: string): Promise<Client> {
  const client = new Client({ name: 'approval-e2e', version: '1.0.0' });
  const headers: Record<string, string> = { authorization: `Bearer ${instance.keys[key]}`, ...(onBehalfOf ? { 'x-warden-on-behalf-of': onBehalfOf } : {}) };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${urlOf(instance)}/mcp/demo-tools`), { requestInit: { headers } }));
  clients.push(client);
  // Warden pins the definitions it is shown: list them before calling.
  await client.listTools();
  return client;
}

interface Refusal {
  code: number;
  message: string;
  data: { decisionId: string; policyIds: string[]; stepUp?: boolean; stepUpUrl?: string; approvalRequired?: boolean; approvalUrl?: string };
}

async function refusal(promise: Promise<unknown>): Promise<Refusal> {
  return promise.then(
    () => assert.fail('the call was not refused'),
    (error: Refusal) => error,
  );
}

/** The person enrols TOTP (through the admin API) and gets the seed to compute codes with. */
async function enrolTotp(instance: Instance, principal: string): Promise<Buffer> {
  const admin = (path: string, body: unknown) => fetch(`${urlOf(instance)}/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${instance.keys.carol}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const enrol = await admin('/mfa/totp', { principal });
  assert.equal(enrol.status, 201);
  const { factorId, secret } = (await enrol.json()) as { factorId: string; secret: string };
  const seed = base32Decode(secret);
  assert.equal((await admin('/mfa/totp/confirm', { principal, factorId, code: totpCode(seed, Date.now()) })).status, 200);
  return seed;
}

/** The person opens the challenge link and verifies a TOTP code there, as on the step-up page. */
async function verifyAt(instance: Instance, link: string, seed: Buffer): Promise<void> {
  const url = new URL(link);
  const browser = new PageClient(urlOf(instance));
  const page = await browser.page(url.pathname + url.search);
  assert.equal(page.status, 200);
  // The next time step's code: accepted now (drift window) and never used (the enrolment used this one).
  const ok = await browser.submit(url.pathname + '/totp', { csrf: page.csrf, code: totpCode(seed, Date.now() + 30_000) });
  assert.equal(ok.status, 200, await ok.text());
}

before(async () => {
  demo = await startDemoMcpServer({ token: TOKEN });
  await Promise.all([start(mfaOn, {}), start(mfaOff, { enabled: false })]);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all([mfaOn.warden?.stop(), mfaOff.warden?.stop()]);
  await demo?.close();
});

describe('MCP step-up and approval through the step-up flow', () => {
  it('a call that needs step-up names the challenge; after the person verifies TOTP there, the retry passes', async () => {
    const seed = await enrolTotp(mfaOn, 'bob');
    const bob = await connect(mfaOn, 'bob');
    const refused = await refusal(bob.callTool({ name: 'delete_ticket', arguments: { id: 'T-1' } }));
    assert.equal(refused.code, -32001);
    assert.equal(refused.data.stepUp, true);
    assert.deepEqual(refused.data.policyIds, ['test-engineer-delete-needs-mfa']);
    assert.match(refused.data.stepUpUrl!, new RegExp(`/auth/step-up/${refused.data.decisionId}\\?k=[\\w-]{24}$`));
    assert.match(refused.message, /stepUpUrl/);
    await verifyAt(mfaOn, refused.data.stepUpUrl!, seed);
    assert.match(JSON.stringify((await bob.callTool({ name: 'delete_ticket', arguments: { id: 'T-1' } })).content), /ticket T-1 deleted/);
  });

  it("the session rule asks for a person's approval; once the person approves, that agent key passes and another does not", async () => {
    const seed = await enrolTotp(mfaOn, 'alice');
    const agent = await connect(mfaOn, 'helpdesk-bot', 'alice');
    // An open-world tool's result is untrusted content in the session.
    await agent.callTool({ name: 'fetch_url', arguments: { url: 'https://example.com/' } });
    const refused = await refusal(agent.callTool({ name: 'delete_ticket', arguments: { id: 'T-2' } }));
    assert.equal(refused.code, -32007);
    assert.equal(refused.data.approvalRequired, true);
    assert.deepEqual(refused.data.policyIds, ['mcp-session-untrusted-content']);
    assert.match(refused.data.approvalUrl!, new RegExp(`/auth/step-up/${refused.data.decisionId}\\?k=[\\w-]{24}$`));
    assert.match(refused.message, /a person must approve .*approvalUrl, then retry/);
    assert.doesNotMatch(refused.message, /not available/);

    // alice (the person the agent acts for) approves by verifying her factor.
    await verifyAt(mfaOn, refused.data.approvalUrl!, seed);
    assert.match(JSON.stringify((await agent.callTool({ name: 'delete_ticket', arguments: { id: 'T-2' } })).content), /ticket T-2 deleted/);

    const otherKey = await connect(mfaOn, 'helpdesk-bot-2', 'alice');
    assert.equal((await refusal(otherKey.callTool({ name: 'delete_ticket', arguments: { id: 'T-3' } }))).code, -32007, "the agent's other key was not approved");

    // The refusal is recorded under its decision id; the link's secret is in no log and no decision.
    const secret = new URL(refused.data.approvalUrl!).searchParams.get('k')!;
    const recorded = await eventually('the refusal reaches the decision table', async () => {
      const text = await (await fetch(`${urlOf(mfaOn)}/admin/decisions?limit=200`, { headers: { authorization: `Bearer ${mfaOn.keys.carol}` } })).text();
      return text.includes(refused.data.decisionId) && text;
    });
    assert.match(recorded, /mcp_approval_required/);
    assert.ok(!recorded.includes(secret), 'the decision table does not hold the secret');
    assert.ok(!mfaOn.warden!.output().includes(secret), 'the log does not hold the secret');
  });

  it('without MFA configured, the refusals are the old ones: no link to follow', async () => {
    const bob = await connect(mfaOff, 'bob');
    const stepUp = await refusal(bob.callTool({ name: 'delete_ticket', arguments: { id: 'T-1' } }));
    assert.equal(stepUp.code, -32001);
    assert.equal(stepUp.data.stepUp, true);
    assert.equal(stepUp.data.stepUpUrl, undefined);

    const agent = await connect(mfaOff, 'helpdesk-bot', 'alice');
    await agent.callTool({ name: 'fetch_url', arguments: { url: 'https://example.com/' } });
    const approval = await refusal(agent.callTool({ name: 'delete_ticket', arguments: { id: 'T-2' } }));
    assert.equal(approval.code, -32007);
    assert.equal(approval.data.approvalRequired, true);
    assert.equal(approval.data.approvalUrl, undefined);
    assert.match(approval.message, /refused/);
  });
});
