/**
 * Two Warden processes on one PostgreSQL schema (issue 12): a key made with the CLI on "another machine"
 * (`WARDEN_DATABASE_URL`, no local data) works on both; a policy version activated on one is in the
 * other's list and becomes active there; a revocation by the CLI reaches both; `/readyz` says ready.
 * One instance is pointed at PostgreSQL by the environment, the other by `cluster.databaseUrl`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedKeyDir } from '../audit-ha/helpers.js';
import { eventually } from '../helpers/eventually.js';
import { freshSchema } from '../helpers/postgres.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const CONFIG = {
  principals: [
    { id: 'carol', groups: ['security'], roles: ['admin'] },
    { id: 'alice', groups: ['engineering'], roles: ['user'] },
  ],
};

const get = (base: string, path: string, key: string): Promise<Response> => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });

test('two instances on one PostgreSQL share keys, policy versions and revocations', async () => {
  const fresh = await freshSchema('e2e');
  const instances: WardenProcess[] = [];
  try {
    const cliDir = tempDir();
    // A cluster's instances share one audit log, so they are given the same signing key and KEK.
    const keys = sharedKeyDir();
    const config = { ...CONFIG, audit: { signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile } } };
    // Started together (and the CLI with them): migrations and the first policy version race on purpose.
    const starting = [startWarden(config, { logLevel: 'warn', env: { WARDEN_DATABASE_URL: fresh.url } }), startWarden({ ...config, cluster: { databaseUrl: fresh.url } }, { logLevel: 'warn' })];
    const [created] = await Promise.all([
      runCli(['keys', 'create', '--principal', 'carol', '--data-dir', cliDir], { WARDEN_DATABASE_URL: fresh.url }),
      ...starting.map(async (started) => instances.push(await started)),
    ]);
    const [one, two] = instances as [WardenProcess, WardenProcess];
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim().split('\n').at(-1)!;
    const id = key.split('_')[1]!;
    assert.ok(!existsSync(join(cliDir, 'warden.db')), 'the clustered CLI wrote no local database');

    for (const instance of [one, two]) await eventually(`the CLI's key works on ${instance.url}`, async () => (await get(instance.url, '/admin/keys', key)).status === 200);
    const listed = (await (await get(two.url, '/admin/keys', key)).json()) as { items: { id: string }[] };
    assert.ok(listed.items.some((k) => k.id === id));

    const published = await fetch(`${one.url}/admin/policies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ files: { 'open.cedar': '@id("open")\npermit(principal, action, resource);' } }),
    });
    assert.equal(published.status, 201, await published.clone().text());
    const { version } = (await published.json()) as { version: number };
    const versions = (await (await get(two.url, '/admin/policies', key)).json()) as { versions: { version: number; active: boolean }[] };
    assert.ok(versions.versions.some((v) => v.version === version && v.active), 'the other instance lists the new version as active at once');
    await eventually('the other instance loads the activated version', async () => ((await (await get(two.url, '/admin/policies', key)).json()) as { active: number }).active === version);

    for (const instance of [one, two]) assert.equal((await fetch(`${instance.url}/readyz`)).status, 200);

    const [shown, revoked] = await Promise.all([
      runCli(['policy', 'show', '--versions', '--json', '--data-dir', cliDir], { WARDEN_DATABASE_URL: fresh.url }),
      runCli(['keys', 'revoke', id, '--data-dir', cliDir], { WARDEN_DATABASE_URL: fresh.url }),
    ]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(shown.stdout.split('\n').some((line) => line.includes(`"version":${version},`) && line.includes('"active":true')), shown.stdout);
    assert.equal(revoked.code, 0, revoked.stderr);
    for (const instance of [one, two]) await eventually(`the revocation reaches ${instance.url}`, async () => (await get(instance.url, '/admin/keys', key)).status === 401);
    for (const instance of instances) assert.ok(!instance.output().includes('postgres://'), 'the database URL is never logged');
  } finally {
    for (const instance of instances) await instance.stop();
    await fresh.close();
  }
});
