/**
 * The risk inbox: imported events reach the one engine that consumes it, a second engine on the same
 * store only queues, and a consumer that dies between saves is replaced without forking the baselines
 * or storing a detection twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WardenEvent } from '../../src/core/events.js';
import { createRiskEngine, parseLog, SqliteRiskInbox, type RiskEngine } from '../../src/risk/index.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/index.js';

/** Twelve failed passwords for `erin` from one source, then a success from it. */
function attack(minute: number): WardenEvent[] {
  const at = (s: number): string => new Date(Date.UTC(2026, 2, 3, 9, minute, s)).toISOString();
  const lines = Array.from({ length: 12 }, (_, i) => `${at(i)} web-1 sshd[${100 + i}]: Failed password for erin from 45.95.147.10 port 1 ssh2`);
  lines.push(`${at(30)} web-1 sshd[200]: Accepted password for erin from 45.95.147.10 port 1 ssh2`);
  return parseLog(lines.join('\n'), 'syslog').events;
}

function engine(db: SqliteDatabase, owner: string | undefined): RiskEngine {
  return createRiskEngine({ db, config: { persistIntervalSeconds: 0, inbox: { pollMilliseconds: 0, leaseSeconds: 60, batch: 4 } }, geo: null, inboxOwner: owner, clock: () => Date.UTC(2026, 2, 3, 10) });
}

async function withDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-inbox-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('one consumer: a second engine on the same store queues; the consumer processes what it queued', () => {
  withDir((dir) => {
    const dbA = openDatabase(dir);
    const dbB = openDatabase(dir);
    const warden = engine(dbA, 'warden:1');
    const cli = engine(dbB, 'cli:2');
    const queued = cli.ingest(attack(0), 'test');
    assert.equal(queued.queued, true, 'the running engine holds the inbox');
    assert.equal(queued.processed, 0);
    assert.equal(cli.drainInbox().processed, 0, 'no second consumer while the lease lasts');
    const done = warden.drainInbox();
    assert.equal(done.processed, 14, 'twelve failures, the login and its host access');
    assert.ok(done.detections.some((d) => d.detector === 'risk.attacker_success'));
    assert.ok(warden.snapshot({ type: 'User', id: 'erin' }).score >= 50, 'the live engine\'s own state has it');
    assert.equal(new SqliteRiskInbox(dbB).cursor(), 14, 'the cursor is saved with the baselines');
    assert.equal((dbB.prepare('SELECT COUNT(*) AS n FROM risk_inbox').get() as { n: number }).n, 0, 'processed entries are dropped');
    assert.equal(new SqliteRiskInbox(dbB).head(), 0);
    warden.close();
    cli.close();
    dbA.close();
    dbB.close();
  });
});

test('a consumer that dies is replaced: the next one replays from the saved cursor, with the saved baselines', async () => {
  await withDir(async (dir) => {
    const dbA = openDatabase(dir);
    const a = engine(dbA, 'warden:1');
    a.ingest(attack(0), 'first batch'); // processed and saved with its cursor
    const inbox = new SqliteRiskInbox(dbA);
    assert.equal(inbox.cursor(), 14);
    // The holder dies (no close, no save) while a second batch waits; its lease then expires.
    inbox.append(attack(40), 'second batch');
    inbox.release('warden:1');
    const dbB = openDatabase(dir);
    const b = engine(dbB, 'warden:2');
    const replay = b.drainInbox();
    assert.equal(replay.processed, 14, 'exactly the events after the saved cursor');
    const brute = replay.detections.find((d) => d.detector === 'risk.brute_force');
    assert.match(brute?.explanation ?? '', /own baseline predicts 0\.5 per 60 min/, 'the second run is judged against the saved baseline (12 failures a day)');
    assert.equal(inbox.cursor(), 28);
    assert.equal(inbox.holder(Date.now()), 'warden:2');
    b.close();
    assert.equal(inbox.holder(Date.now()), undefined, 'closing releases the lease');
    const all = await engine(openDatabase(dir), undefined).detections({ limit: 1000 });
    assert.equal(new Set(all.map((d) => d.id)).size, all.length);
    dbB.close();
    dbA.close();
  });
});

test('detection ids derive from the event: processing the same event twice stores it once', async () => {
  await withDir(async (dir) => {
    const db = openDatabase(dir);
    const events = attack(0);
    for (let run = 0; run < 2; run++) {
      const e = engine(db, undefined);
      // A fresh engine on a fresh baseline each time: the same findings, the same ids.
      db.prepare('DELETE FROM risk_baselines').run();
      for (const ev of events) e.process(ev);
      e.close();
    }
    const all = await engine(db, undefined).detections({ limit: 1000 });
    assert.ok(all.length >= 3);
    assert.equal(all.filter((d) => d.detector === 'risk.attacker_success').length, 1);
    db.close();
  });
});
