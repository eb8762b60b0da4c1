/**
 * One Warden for the console's tests: principals for each console role, a user and a stranger, keys made
 * with the CLI, a real upstream, a policy file whose annotation holds markup, and traffic seeded over
 * HTTP (allowed, denied, step-up). Hostile strings go into every field the console shows.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { sqliteKeyStore } from '../helpers/key-store.js';
import { openDatabase } from '../../src/store/index.js';
import { ROOT, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

/** Markup that would run if any page rendered it as HTML. */
export const XSS = '<img src=x onerror="window.__xss=1">';
/** The same without spaces, for log formats whose fields end at a space. */
export const XSS_TOKEN = '<svg/onload=window.__xss=1>';

export interface ConsoleFixture {
  warden: WardenProcess;
  upstream: TestUpstream;
  keys: Record<'root' | 'ana' | 'aud' | 'alice' | 'mallory' | 'hostile' | 'token', string>;
  /** A chat request with a key; returns the status. */
  chat(key: string, model?: string, headers?: Record<string, string>): Promise<number>;
  admin(method: string, path: string, body?: unknown, contentType?: string): Promise<Response>;
  /** Resolves once the response module holds an incident naming `entity` (`Type::id`). */
  waitForIncident(entity: string): Promise<void>;
  stop(): Promise<void>;
}

/** Keys are made in this process, in the data directory Warden will open (as `warden keys create` does, without a process start each). */
async function createKeys(principals: Record<string, string>, dataDir: string): Promise<Record<string, string>> {
  const db = openDatabase(dataDir);
  try {
    const store = await sqliteKeyStore(db);
    const keys: Record<string, string> = {};
    for (const [k, principal] of Object.entries(principals)) keys[k] = (await store.create({ principal, name: `${k}-console` })).key;
    return keys;
  } finally {
    db.close();
  }
}

export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const upstream = await startTestUpstream('upstream-secret');
  const dir = tempDir('warden-console-');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  // The demo policies plus one whose annotation carries markup (shown in decision explanations).
  const policyDir = join(dir, 'policies');
  mkdirSync(policyDir);
  const demo = join(ROOT, 'demo', 'policies');
  for (const name of readdirSync(demo)) writeFileSync(join(policyDir, name), readFileSync(join(demo, name)));
  writeFileSync(
    join(policyDir, 'console.cedar'),
    `@id("strangers-denied")\n@reason("${XSS.replace(/"/g, '\\"')}")\n@explain("models need a clearance above 0: ask your manager")\nforbid (principal, action, resource is Warden::Model) when { principal has clearance && principal.clearance == 0 };\n`,
  );
  writeFileSync(join(dir, 'upstream.key'), 'upstream-secret');
  const names = { root: 'root', ana: 'ana', aud: 'aud', alice: 'alice', mallory: 'mallory', hostile: XSS, token: XSS_TOKEN } as const;
  const keys = (await createKeys(names, dataDir)) as ConsoleFixture['keys'];
  const warden = await startWarden(
    {
      principals: [
        { id: 'root', groups: ['staff'], roles: ['admin'] },
        { id: 'ana', groups: ['staff'], roles: ['analyst'] },
        { id: 'aud', groups: ['staff'], roles: ['auditor'] },
        { id: 'alice', groups: ['staff', 'engineering'], roles: ['user'], attributes: { clearance: 2 } },
        { id: 'mallory', groups: [], roles: ['user'], attributes: { clearance: 0 } },
      ],
      policy: { dir: policyDir, schemaFile: join(ROOT, 'demo', 'schema.cedarschema'), entitiesFile: join(ROOT, 'demo', 'entities.json') },
      upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: `file:${join(dir, 'upstream.key')}` }],
      models: [
        { id: 'chat', upstream: 'main', sensitivity: 'internal' },
        { id: 'secure', upstream: 'main', sensitivity: 'confidential' },
      ],
    },
    { dir, logLevel: 'warn' },
  );
  const chat = async (key: string, model = 'chat', headers: Record<string, string> = {}): Promise<number> => {
    const res = await fetch(`${warden.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const admin = (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response> =>
    fetch(`${warden.url}/admin${path}`, {
      method,
      headers: { 'x-api-key': keys.root, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  const waitForIncident = async (entity: string): Promise<void> => {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const { incidents } = (await (await admin('GET', '/incidents')).json()) as { incidents: { entities: { type: string; id: string }[] }[] };
      if (incidents.some((i) => i.entities.some((e) => `${e.type}::${e.id}` === entity))) return;
    }
    throw new Error(`no incident for ${entity}`);
  };
  return {
    warden,
    upstream,
    keys,
    chat,
    admin,
    waitForIncident,
    stop: async () => {
      await warden.stop();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Traffic and records with hostile strings in every field the console shows. */
export async function seed(f: ConsoleFixture): Promise<void> {
  for (let i = 0; i < 6; i++) assert.equal(await f.chat(f.keys.alice), 200);
  assert.equal(await f.chat(f.keys.alice, 'secure'), 401);
  assert.equal(await f.chat(f.keys.mallory, 'chat', { 'user-agent': `<script>window.__xss=1</script>` }), 403);
  assert.equal(await f.chat(f.keys.hostile), 403);
  // An auth log whose user names are markup: the detections' entities and explanations carry them.
  const t0 = Date.now() - 120_000;
  const ts = (s: number): string => new Date(t0 + s * 1000).toISOString();
  const lines = Array.from({ length: 12 }, (_, i) => `${ts(i)} web-1 sshd[${300 + i}]: Failed password for ${XSS_TOKEN} from 45.95.147.10 port 4${i} ssh2`);
  lines.push(`${ts(20)} web-1 sshd[400]: Accepted password for ${XSS_TOKEN} from 45.95.147.10 port 50000 ssh2`);
  const log = lines.join('\n') + '\n';
  const ingest = await f.admin('POST', '/ingest?format=syslog', log, 'text/plain');
  assert.ok(ingest.status === 200 || ingest.status === 202, await ingest.text());
  // Two assets, one named with markup, joined by lineage, and a change waiting for a second person.
  const assetDir = join(f.warden.dir, 'assets');
  for (const name of ['base', 'tuned']) {
    mkdirSync(join(assetDir, name), { recursive: true });
    writeFileSync(join(assetDir, name, 'weights.bin'), `weights of ${name}`);
  }
  let res = await f.admin('POST', '/integrity/assets', { id: 'base-model', kind: 'model', name: XSS, location: join(assetDir, 'base'), owner: 'root' });
  assert.equal(res.status, 201, await res.text());
  res = await f.admin('POST', '/integrity/assets', { id: 'tuned-model', kind: 'model', name: 'support-tuned', location: join(assetDir, 'tuned'), owner: 'root' });
  assert.equal(res.status, 201, await res.text());
  res = await f.admin('POST', '/integrity/lineage', { upstream: 'base-model', downstream: 'tuned-model', runId: 'finetune-7' });
  assert.equal(res.status, 201, await res.text());
  res = await f.admin('POST', '/integrity/changes', { assetId: 'tuned-model', reason: 'retrained on the March tickets' });
  assert.equal(res.status, 201, await res.text());
}
