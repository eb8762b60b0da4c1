/** Where the clustered log is found, and the audit commands that must not answer from a local audit.db instead. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { clusterDatabaseUrl } from '../../src/config/cluster.js';
import { refuseClusterLog } from '../../src/cli/commands/audit-common.js';

const io = (env: NodeJS.ProcessEnv) => ({ stdout: new PassThrough(), stderr: new PassThrough(), env, cwd: process.cwd() });

test('WARDEN_DATABASE_URL selects the clustered log; anything but a postgres URL is refused', () => {
  assert.equal(clusterDatabaseUrl({}), undefined);
  assert.equal(clusterDatabaseUrl({ WARDEN_DATABASE_URL: '  ' }), undefined);
  assert.equal(clusterDatabaseUrl({ WARDEN_DATABASE_URL: 'postgres://db/warden' }), 'postgres://db/warden');
  assert.equal(clusterDatabaseUrl({ WARDEN_DATABASE_URL: 'postgresql://db/warden' }), 'postgresql://db/warden');
  assert.throws(() => clusterDatabaseUrl({ WARDEN_DATABASE_URL: 'mysql://db/warden' }), /postgres:\/\//);
  assert.throws(() => clusterDatabaseUrl({ WARDEN_DATABASE_URL: 'file:///var/lib/warden' }), /postgres:\/\//);
});

test('audit commands that read audit.db only refuse to run against a cluster', () => {
  assert.doesNotThrow(() => refuseClusterLog(io({}), 'audit export'));
  assert.throws(() => refuseClusterLog(io({ WARDEN_DATABASE_URL: 'postgres://db/warden' }), 'audit export'), (e: Error) => e.name === 'UsageError' && /warden audit verify/.test(e.message));
});
