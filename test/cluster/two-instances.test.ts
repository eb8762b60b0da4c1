/**
 * Two real Warden processes, each with its own data directory, joined only by a private nats-server
 * (`WARDEN_NATS_URL`): an API key revoked on one is refused by the other without a restart (the loader of
 * an instance started later is tested in shared-state.test.ts); then NATS is killed during traffic: both
 * keep serving, `/readyz` says degraded, and after NATS returns every request's decision event is in the
 * stream exactly once. The key exists in
 * each data directory, as a shared key store would hold it; the revocation itself travels through NATS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { demoConfig } from '../../src/config/demo.js';
import { sqliteKeyStore } from '../helpers/key-store.js';
import { openDatabase } from '../../src/store/index.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EVENT_STREAM } from '../../src/events/nats/stream.js';
import { startPrivateNats } from '../helpers/nats-server.js';
import { startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const KEY = 'wdn_sharedkey001_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef';
const KEY_ID = 'sharedkey001';

/** A data directory that already holds the shared key (what a shared key store would give every instance). */
async function instanceDir(): Promise<string> {
  const dir = tempDir();
  mkdirSync(join(dir, 'data'), { recursive: true });
  const db = openDatabase(join(dir, 'data'));
  await (await sqliteKeyStore(db)).create({ principal: 'alice', name: 'shared', key: KEY });
  db.close();
  return dir;
}

/** Requests that reach the gateway (each makes exactly one decision event). */
let requests = 0;

async function modelsStatus(warden: WardenProcess, key = KEY): Promise<number> {
  requests++;
  const res = await fetch(`${warden.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status;
}

interface Readiness {
  status: string;
  degraded?: boolean;
  cluster?: { nats: string; outboxPending: number };
}

async function readiness(warden: WardenProcess): Promise<{ code: number; body: Readiness }> {
  const res = await fetch(`${warden.url}/readyz`);
  return { code: res.status, body: (await res.json()) as Readiness };
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a key revoked on one instance is refused on the other; with NATS away both serve and lose no event', async () => {
  const nats = await startPrivateNats();
  const dirs = [await instanceDir(), await instanceDir()];
  const env = { WARDEN_NATS_URL: nats.url };
  const started: WardenProcess[] = [];
  try {
    const starting = dirs.map((dir) => startWarden(demoConfig, { dir, env }));
    // Every process that did start is stopped, even when the other failed to.
    for (const result of await Promise.allSettled(starting)) if (result.status === 'fulfilled') started.push(result.value);
    const [a, b] = (await Promise.all(starting)) as [WardenProcess, WardenProcess];
    const adminKey = /carol +(wdn_\S+)/.exec(a.output())![1]!;

    const ready = await readiness(b);
    assert.equal(ready.body.status, 'ready');
    assert.equal(ready.body.cluster?.nats, 'connected', '/readyz reports NATS');
    assert.equal(await modelsStatus(a), 200);
    assert.equal(await modelsStatus(b), 200);

    requests++;
    const revoke = await fetch(`${a.url}/admin/keys/${KEY_ID}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(revoke.status, 200, await revoke.text());
    const revokedAt = Date.now();
    assert.equal(await modelsStatus(a), 401, 'refused at once where it was revoked');

    // Poll the other instance until it refuses the key (bounded, so a failure ends the test).
    let status = 200;
    while (status !== 401 && Date.now() - revokedAt < 15_000) status = await modelsStatus(b);
    const elapsed = Date.now() - revokedAt;
    assert.equal(status, 401, 'the other instance refuses the revoked key');
    console.log(`# revocation reached the other instance after ${elapsed} ms (issue 12 asks for under 1 s)`);

    // NATS goes away during traffic: both keep serving, say they are degraded, and keep the events.
    const aliceKeys = [a, b].map((w) => /alice +(wdn_\S+)/.exec(w.output())![1]!);
    await nats.kill();
    await until(async () => (await readiness(a)).body.cluster?.nats !== 'connected' && (await readiness(b)).body.cluster?.nats !== 'connected', 'both to notice');
    for (let i = 0; i < 20; i++) {
      assert.equal(await modelsStatus(a, aliceKeys[0]), 200, 'served while NATS is away');
      assert.equal(await modelsStatus(b, aliceKeys[1]), 200, 'served while NATS is away');
    }
    const degraded = await readiness(b);
    assert.equal(degraded.code, 200, 'still ready');
    assert.equal(degraded.body.degraded, true);
    assert.ok(degraded.body.cluster!.outboxPending >= 20, 'the events wait in the outbox');
    await nats.restart();
    await until(async () => {
      const states = [await readiness(a), await readiness(b)];
      return states.every((r) => r.body.cluster?.nats === 'connected' && r.body.cluster.outboxPending === 0);
    }, 'both outboxes to drain');

    // Every request's decision event is in the stream, once.
    const nc = await connect({ servers: nats.url });
    const info = await (await jetstreamManager(nc)).streams.info(EVENT_STREAM, { subjects_filter: 'warden.events.decision' });
    await nc.close();
    assert.equal(info.state.subjects?.['warden.events.decision'], requests, `one decision event per request (${requests} requests)`);
  } finally {
    await Promise.all(started.map((w) => w.stop()));
    await nats.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
});
