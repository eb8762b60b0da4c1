/** Where the clustered log is found (the audit commands reading it: cluster-read.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterDatabaseUrl } from '../../src/cluster/config.js';

test('WARDEN_DATABASE_URL selects the clustered log; anything but a postgres URL is refused', () => {
  assert.equal(clusterDatabaseUrl({}), undefined);
  assert.equal(clusterDatabaseUrl({ WARDEN_DATABASE_URL: '  ' }), undefined);
  assert.equal(clusterDatabaseUrl({ WARDEN_DATABASE_URL: 'postgres://db/warden' }), 'postgres://db/warden');
  assert.equal(clusterDatabaseUrl({ WARDEN_DATABASE_URL: 'postgresql://db/warden' }), 'postgresql://db/warden');
  assert.throws(() => clusterDatabaseUrl({ WARDEN_DATABASE_URL: 'mysql://db/warden' }), /postgres:\/\//);
  assert.throws(() => clusterDatabaseUrl({ WARDEN_DATABASE_URL: 'file:///var/lib/warden' }), /postgres:\/\//);
});
