/**
 * Shared-state propagation (npm run bench:shared-state): how long a change written by one process takes to
 * be applied in the memory of another, through NATS JetStream KV (issue 12 asks for under 1 s).
 *
 *   node --import tsx bench/shared-state.ts [--changes 2000] [--nats nats://127.0.0.1:4222]
 *
 * Without `--nats` a private nats-server (JetStream, temporary store) is started and removed afterwards.
 * The writer (this process) puts `--changes` revocations one after another, each stamped with the time it
 * was written; the reader (a second process, the same file with `--peer`) takes the time each one is
 * applied to its table and reports the distribution. Both processes run on this machine, so they read
 * the same clock.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { NatsLink } from '../src/cluster/nats-link.js';
import { NatsSharedState } from '../src/cluster/nats-shared-state.js';
import { createLogger } from '../src/core/logger.js';
import { startPrivateNats } from '../test/helpers/nats-server.js';

const { values } = parseArgs({ options: { changes: { type: 'string', default: '2000' }, nats: { type: 'string' }, peer: { type: 'boolean', default: false }, run: { type: 'string', default: '' } } });
const changes = Number(values.changes);
const logger = createLogger('warn');
const now = (): number => performance.timeOrigin + performance.now();

async function open(url: string, id: string): Promise<{ state: NatsSharedState; link: NatsLink }> {
  const link = new NatsLink({ url, logger, name: `bench ${id}` });
  const state = new NatsSharedState({ link, instanceId: id, logger });
  link.start();
  await state.loaded();
  return { state, link };
}

/** The reader: applies every change and reports, per change, the delay from write to application. */
async function peer(url: string): Promise<void> {
  const { state, link } = await open(url, 'reader');
  const delays: number[] = [];
  state.watch('apikey-revocation', ({ key, value }) => {
    if (!key.startsWith(`${values.run}:`)) return;
    delays.push(now() - (value as { sentAt: number }).sentAt);
    if (delays.length === changes) {
      process.stdout.write(`${JSON.stringify(delays)}\n`);
      void state.close().then(() => link.close()).then(() => process.exit(0));
    }
  });
  process.stdout.write('ready\n');
}

async function writer(): Promise<void> {
  const nats = values.nats ? undefined : await startPrivateNats();
  const url = values.nats ?? nats!.url;
  const run = `run${Date.now()}`;
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--peer', '--nats', url, '--changes', String(changes), '--run', run], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error('the reader did not start');
  const { state, link } = await open(url, 'writer');
  const started = now();
  for (let i = 0; i < changes; i++) await state.put('apikey-revocation', `${run}:${i}`, { sentAt: now() });
  const writeSeconds = (now() - started) / 1000;
  const delays = JSON.parse((await lines.next()).value as string) as number[];
  await state.close();
  await link.close();
  await nats?.stop();
  const sorted = [...delays].sort((a, b) => a - b);
  const pct = (p: number): string => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2);
  console.log(`shared state propagation across two processes (JetStream KV watch), ${changes} changes written in ${writeSeconds.toFixed(1)} s:`);
  console.log(`  p50 ${pct(50)} ms   p90 ${pct(90)} ms   p99 ${pct(99)} ms   max ${sorted.at(-1)!.toFixed(2)} ms`);
}

if (values.peer) await peer(values.nats!);
else await writer();
