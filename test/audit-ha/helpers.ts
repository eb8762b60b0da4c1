/** What the clustered audit log's tests share: keys every instance is given, events, and waiting for a condition. */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { WardenEvent } from '../../src/core/events.js';
import type { PgPool } from '../../src/store/postgres.js';
import { TEST_DATABASE_URL } from '../helpers/postgres.js';

/** A directory with an Ed25519 signing key and a KEK file, as an operator would provision them. */
export function sharedKeyDir(): { dir: string; signingKeyFile: string; publicKeyFile: string; kekFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'warden-audit-ha-'));
  const signingKeyFile = join(dir, 'audit-signing.key');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(signingKeyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const publicKeyFile = join(dir, 'audit-signing.pub');
  writeFileSync(publicKeyFile, publicKey.export({ format: 'pem', type: 'spki' }));
  const kekFile = join(dir, 'audit-kek.key');
  writeFileSync(kekFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  return { dir, signingKeyFile, publicKeyFile, kekFile };
}

export function adminEvent(n: number, extra: Record<string, unknown> = {}): WardenEvent {
  return {
    type: 'admin',
    id: randomUUID(),
    time: new Date().toISOString(),
    actor: { type: 'User', id: `user-${n}` },
    operation: 'test.append',
    outcome: 'success',
    details: { n, ...extra },
  } as unknown as WardenEvent;
}

/** Polls `check` until it holds (a condition, not a fixed sleep); fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function count(pool: PgPool, table: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}

/** Every event id in the log, in log order. */
export async function loggedEventIds(pool: PgPool): Promise<string[]> {
  const { rows } = await pool.query<{ event_id: string }>('SELECT event_id FROM audit_entries ORDER BY idx');
  return rows.map((r) => r.event_id);
}

/** Ends the audit leader's lock connection from outside, as a dead host or a network cut would. */
export async function killLockHolder(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    // Every test file has its own schema and so its own lock objid ("WAUD", the schema's hash): only this schema's holder.
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = ${0x57415544} AND granted AND objid::int = hashtext($1)`,
      [schema],
    );
    assert.equal(rows.length, 1, 'one lock holder');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
  } finally {
    await admin.end();
  }
}
