/**
 * Two `warden start` processes on one PostgreSQL schema with a SIEM sink (issue 12): both serve the
 * cluster's audit log on `/admin/audit/*`; exactly one delivers the sink to a real HEC receiver while the
 * other stands by; when the delivering process is killed (SIGKILL) the other takes over from the stored
 * cursor and every position of the log reaches the receiver.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedKeyDir } from '../audit-ha/helpers.js';
import { dedupe, startHecReceiver } from '../export/helpers.js';
import { eventually } from '../helpers/eventually.js';
import { freshSchema } from '../helpers/postgres.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const TOKEN = 'e2e-hec-token';

interface SinkStatus {
  state: string;
  committed: number;
}

test('two instances serve the cluster audit log; one exports it, the other takes over after a kill -9; nothing is lost', async () => {
  const fresh = await freshSchema('e2x');
  const hec = await startHecReceiver(TOKEN);
  const instances: WardenProcess[] = [];
  try {
    const keys = sharedKeyDir();
    const config = {
      principals: [{ id: 'carol', groups: ['security'], roles: ['admin'] }],
      audit: { signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile }, checkpoint: { everySeconds: 1 } },
      export: { pollIntervalMs: 100, sinks: [{ name: 'splunk', type: 'hec', format: 'ocsf', hec: { url: hec.url, token: 'env:E2E_HEC_TOKEN' }, batch: { maxRecords: 20 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }] },
    };
    const env = { WARDEN_DATABASE_URL: fresh.url, E2E_HEC_TOKEN: TOKEN };
    // One after the other: two starts at once on a loaded two-core machine can exceed the start timeout.
    for (let i = 0; i < 2; i++) instances.push(await startWarden(config, { logLevel: 'warn', env }));
    const created = await runCli(['keys', 'create', '--principal', 'carol', '--data-dir', tempDir()], { WARDEN_DATABASE_URL: fresh.url });
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim().split('\n').at(-1)!;
    const get = (base: string, path: string): Promise<Response> => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const sink = async (base: string): Promise<SinkStatus> => ((await (await get(base, '/admin/export/status')).json()) as { sinks: SinkStatus[] }).sinks[0]!;
    const size = async (base: string): Promise<number> => ((await (await get(base, '/admin/audit/entries?limit=1')).json()) as { size: number }).size;
    const positions = (): number[] => hec.events.map((e) => (e.fields as { warden_log_index: number }).warden_log_index);

    // Every request is a decision event in the one log; both instances serve it.
    for (const instance of instances) await eventually(`the key works on ${instance.url}`, async () => (await get(instance.url, '/admin/keys')).status === 200, { timeoutMs: 60_000 });
    for (let i = 0; i < 20; i++) await get(instances[i % 2]!.url, '/admin/keys');
    for (const instance of instances) {
      const checkpoint = await get(instance.url, '/admin/audit/checkpoint');
      assert.equal(checkpoint.status, 200, await checkpoint.clone().text());
      assert.match(await checkpoint.text(), /^\S+\n\d+\n/);
    }
    // An answered request's event is durable in the cluster's inbox; the leader appends it to the log
    // moments later (a drain every 50 ms, longer on a loaded machine), so the log's size is awaited.
    const first = await eventually("the log holds the requests' events", async () => {
      const n = await size(instances[1]!.url);
      return n >= 20 ? n : undefined;
    }, { timeoutMs: 60_000 });
    await eventually('the log exported', () => new Set(positions()).size >= first, { timeoutMs: 60_000 });

    const states = await Promise.all(instances.map((i) => sink(i.url)));
    const holders = states.filter((s) => s.state !== 'standby');
    assert.equal(holders.length, 1, `exactly one instance delivers the sink: ${JSON.stringify(states)}`);
    const holder = instances[states.indexOf(holders[0]!)]!;
    const survivor = instances.find((i) => i !== holder)!;

    holder.kill();
    await holder.exited;
    instances.splice(instances.indexOf(holder), 1);
    for (let i = 0; i < 15; i++) await get(survivor.url, '/admin/keys');
    const total = await size(survivor.url);
    await eventually('the survivor takes the sink over', async () => (await sink(survivor.url)).state !== 'standby', { timeoutMs: 60_000 });
    await eventually('every position exported after the failover', () => new Set(positions()).size >= total, { timeoutMs: 60_000 });
    const { unique } = dedupe(positions());
    assert.deepEqual(unique.slice(0, total), Array.from({ length: total }, (_, i) => i), 'no gap');
  } finally {
    for (const instance of instances) await instance.stop().catch(() => undefined);
    await hec.close();
    await fresh.close();
  }
});
