/**
 * Decisions and detections on PostgreSQL (issue 12): what one Warden instance decided and detected is
 * listed by the other instance's admin API and by the CLI on a machine with no local data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedKeyDir } from '../audit-ha/helpers.js';
import { eventually } from '../helpers/eventually.js';
import { freshSchema } from '../helpers/postgres.js';
import { createKey, runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const SPRAY = ['Nov  2 07:01:40 h sshd[1]: Failed password for a from 5.255.255.5 port 1 ssh2', ...'bcdefghij'.split('').map((u, i) => `Nov  2 07:0${Math.floor(i / 2) + 2}:1${i % 10} h sshd[1]: Failed password for ${u} from 5.255.255.5 port 1 ssh2`)].join('\n');

test('one instance decides and detects; the other instance and the CLI list it from PostgreSQL', async () => {
  const fresh = await freshSchema('e2e');
  const instances: WardenProcess[] = [];
  const env = { WARDEN_DATABASE_URL: fresh.url };
  try {
    const cliDir = tempDir();
    const keys = sharedKeyDir();
    const config = {
      principals: [
        { id: 'carol', groups: ['security'], roles: ['admin'] },
        { id: 'alice', groups: ['engineering'], roles: ['user'] },
      ],
      audit: { signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile } },
    };
    // One after the other: the race of two starting instances is cluster-store.test.ts's subject, not this one's.
    for (let i = 0; i < 2; i++) instances.push(await startWarden(config, { logLevel: 'warn', env }));
    const [one, two] = instances as [WardenProcess, WardenProcess];
    const keyOf = (principal: string): Promise<string> => createKey(principal, cliDir, env);
    const carol = await keyOf('carol');
    const alice = await keyOf('alice');
    const as = (key: string, init: RequestInit = {}): RequestInit => ({ ...init, headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) } });

    // Alice is not an admin: a denied decision on instance one.
    // Both keys must have reached instance one: carol's being known says nothing of alice's, created after
    // it (a key refresh may fall between the two CLI calls, and a 401 names no principal).
    await eventually('the keys reach instance one', async () => (await fetch(`${one.url}/admin/keys`, as(carol))).status === 200);
    await eventually('alice is denied, not unknown, on instance one', async () => {
      const status = (await fetch(`${one.url}/admin/keys`, as(alice))).status;
      assert.ok(status === 401 || status === 403, `alice got ${status}`);
      return status === 403;
    });
    await eventually('instance two lists the decision instance one made', async () => {
      const res = await fetch(`${two.url}/admin/decisions?principal=User::alice&outcome=deny`, as(carol));
      return res.status === 200 && ((await res.json()) as { items: unknown[] }).items.length > 0;
    });
    const queried = await runCli(['decisions', 'query', '--principal', 'alice', '--outcome', 'deny', '--data-dir', cliDir], env);
    assert.equal(queried.code, 0, queried.stderr);
    const rows = queried.stdout.trim().split('\n').map((l) => JSON.parse(l) as { principal: { id: string }; outcome: string; route: string });
    assert.ok(rows.length >= 1 && rows.every((r) => r.principal.id === 'alice' && r.outcome === 'deny'), queried.stdout);

    // A password spray imported on instance one: its detection is listed by instance two and the CLI.
    const ingested = await fetch(`${one.url}/admin/ingest?format=sshd`, as(carol, { method: 'POST', body: SPRAY, headers: { 'content-type': 'text/plain' } }));
    assert.equal(ingested.status, 200, await ingested.clone().text());
    await eventually('instance two lists the detection instance one made', async () => {
      const res = await fetch(`${two.url}/admin/detections?detector=risk.password_spray`, as(carol));
      return res.status === 200 && ((await res.json()) as { detections: unknown[] }).detections.length > 0;
    });
    const listed = await runCli(['detections', 'list', '--json', '--detector', 'risk.password_spray', '--data-dir', cliDir], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout.trim().split('\n')[0]!) as { entity: unknown }).entity, { type: 'SourceIp', id: '5.255.255.5' });
    assert.ok(!existsSync(join(cliDir, 'warden.db')), 'the clustered CLI wrote no local database');
  } finally {
    for (const instance of instances) await instance.stop();
    await fresh.close();
  }
});
