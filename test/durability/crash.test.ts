/**
 * Acknowledged decisions are never lost: repeated SIGKILL of a real Warden process under real HTTP load,
 * then every request whose complete answer reached the client is in the audit log and the decision table.
 * `npm run crash:durability` runs many more rounds and prints the figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crashRounds } from './crash-load.js';

// Three real start-ups and two SIGKILLs: minutes on a loaded machine, hence the explicit timeout.
test('kill -9 under load: every fully answered request is in the audit log and the decision table after restart', { timeout: 900_000 }, async () => {
  const figures = await crashRounds({ runs: 2, concurrency: 8, answeredPerRun: 150 });
  assert.equal(figures.runs, 2);
  assert.ok(figures.answered >= 300, `answered ${figures.answered}`);
  assert.deepEqual(figures.missing, [], `lost from the audit log ${figures.lostFromAudit}, from the decision table ${figures.lostFromTable}`);
  assert.equal(figures.lostFromAudit, 0);
  assert.equal(figures.lostFromTable, 0);
});
