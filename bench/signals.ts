/**
 * The added cost of shared signals on each request: `SignalState.apply` for an identity the signals say
 * nothing about, for one with a revocation and an assurance level on record, and for a proven device with
 * three posture observations (the per-fact merge), among 10,000 principals and devices with state. Side
 * by side with building the identity itself (what the authenticator already does). Per request, in
 * microseconds, on this machine; compare the ratios.
 *
 *   npm run bench:signals
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../src/core/types.js';
import { SignalState } from '../src/signals/state.js';
import { SqliteSignalsRepository } from '../src/signals/store/sqlite.js';
import { openDatabase } from '../src/store/index.js';

const N = Number(process.env.N ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'bench-signals-'));
const db = openDatabase(dir);
const repo = new SqliteSignalsRepository(db);
const now = Date.now();
const iso = (ms: number): string => new Date(ms).toISOString();
db.exec('BEGIN');
for (let i = 0; i < 10_000; i++) {
  await repo.revokeSessions(`user-${i}`, iso(now - 3600_000), iso(now));
  await repo.setAssurance(`user-${i}`, { namespace: 'NIST-AAL', level: 'nist-aal2', at: iso(now - 3600_000) }, iso(now));
  for (const source of ['report', 'webhook:intune', 'ssf:https://idp']) await repo.savePosture({ device: `device-${i}`, source, facts: { compliant: true, managed: true }, observedAt: iso(now - 60_000), receivedAt: iso(now) });
}
db.exec('COMMIT');
const state = new SignalState(repo, 86_400_000);
await state.reload();

const identity = (principal: string, device?: string): Identity => ({
  principal: { kind: 'User', id: principal, attributes: {}, groups: [], roles: [] },
  authentication: { method: 'jwt', strength: 2, mfa: true, scopes: [], issuedAt: Math.floor(now / 1000), ageSeconds: 30 },
  ...(device ? { device: { id: device, proof: 'certificate', managed: false, compliant: false, sources: { managed: 'config', compliant: 'config' } } } : {}),
});

function timeIt(label: string, run: (i: number) => void): number {
  for (let i = 0; i < 10_000; i++) run(i); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < N; i++) run(i);
  const us = ((performance.now() - t0) * 1000) / N;
  console.log(`${label.padEnd(56)} ${us.toFixed(3).padStart(8)} µs/request`);
  return us;
}

// Every row builds a fresh identity (apply changes it), so the first row is the floor of the others.
timeIt('build the identity only (the floor)', (i) => void identity(`user-${i % 10_000}`));
timeIt('apply: a principal with no signals', (i) => state.apply(identity(`other-${i % 10_000}`), now));
timeIt('apply: revocation + assurance on record', (i) => state.apply(identity(`user-${i % 10_000}`), now));
timeIt('apply: + a device with 3 posture observations', (i) => state.apply(identity(`user-${i % 10_000}`, `device-${i % 10_000}`), now));
db.close();
rmSync(dir, { recursive: true, force: true });
