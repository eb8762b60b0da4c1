/**
 * Nothing answered is lost across a crash: with NATS away, a Warden process answers requests (their
 * decision events are committed to the outbox), is killed with SIGKILL, and starts again after NATS is
 * back; it drains what the outbox held, and every answered request's decision event is in the stream once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { demoConfig } from '../../src/config/demo.js';
import { EVENT_STREAM } from '../../src/events/nats/stream.js';
import { startPrivateNats } from '../helpers/nats-server.js';
import { startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

async function readiness(warden: WardenProcess): Promise<{ nats?: string; outboxPending?: number }> {
  const body = (await (await fetch(`${warden.url}/readyz`)).json()) as { cluster?: { nats: string; outboxPending: number } };
  return body.cluster ?? {};
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('events in the outbox survive kill -9 and reach the stream after the restart', async () => {
  const nats = await startPrivateNats();
  const dir = tempDir();
  const env = { WARDEN_NATS_URL: nats.url };
  let warden: WardenProcess | undefined;
  try {
    warden = await startWarden(demoConfig, { dir, env });
    const key = /alice +(wdn_\S+)/.exec(warden.output())![1]!;
    const first = warden;
    await until(async () => (await readiness(first)).nats === 'connected', 'the connection');
    let answered = 0;
    const request = async (w: WardenProcess): Promise<void> => {
      const res = await fetch(`${w.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      await res.arrayBuffer();
      assert.equal(res.status, 200);
      answered++;
    };
    for (let i = 0; i < 10; i++) await request(warden);
    await nats.kill();
    await until(async () => (await readiness(first)).nats !== 'connected', 'the instance to notice');
    for (let i = 0; i < 30; i++) await request(warden);
    assert.ok(((await readiness(warden)).outboxPending ?? 0) >= 30, 'the answered requests wait in the outbox');

    warden.kill();
    await warden.exited;
    await nats.restart();
    warden = await startWarden(demoConfig, { dir, env });
    const second = warden;
    await until(async () => {
      const r = await readiness(second);
      return r.nats === 'connected' && r.outboxPending === 0;
    }, 'the outbox to drain after the restart');

    const nc = await connect({ servers: nats.url });
    const info = await (await jetstreamManager(nc)).streams.info(EVENT_STREAM, { subjects_filter: 'warden.events.decision' });
    await nc.close();
    assert.equal(info.state.subjects?.['warden.events.decision'], answered, `every answered request (${answered}) has its decision event in the stream, once`);
  } finally {
    await warden?.stop();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
