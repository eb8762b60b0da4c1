/**
 * `npm run bench:risk`: risk-engine throughput and memory.
 * - events scored per second on one core: the simulator's 4 weeks of organisation traffic (decision,
 *   authentication and guard events) through a fresh engine, five passes after a warm-up pass, the
 *   fastest reported (the engine parses each event's time itself; the harness's clock is precomputed);
 *   reports CPU time (process.cpuUsage) and wall time, since the machine may be shared;
 * - snapshot() calls per second (the request-path read);
 * - memory per tracked entity: heap growth after N synthetic principals, each with devices, addresses,
 *   resources and hours (run with --expose-gc).
 * - the log importer: lines per second of a generated 200,000-line sshd/sudo/cron auth log (the mix of
 *   an internet-facing server: attackers' connections are most of it), best of three passes by CPU
 *   time; and the engine's events/s over what it imported (host-log detectors).
 * Target: >= 200,000 events/s.
 *
 * `--baseline DIR` also loads the engine and importer from another checkout (e.g. a `git worktree` of
 * main) and runs its passes alternately with this one's on the same events, so that both see the same
 * machine load: on a shared machine only that ratio compares two versions.
 *
 * Usage: npm run bench:risk -- [--entities 20000] [--lines 200000] [--baseline DIR] [--json]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { WardenEvent } from '../src/core/events.js';
import { createRiskEngine } from '../src/risk/engine.js';
import { openGeoLocator } from '../src/risk/geo.js';
import { simulate } from '../src/risk/simulate/run.js';
import { openMemoryDatabase } from '../src/risk/store.js';
import { parseLog } from '../src/risk/connectors/index.js';
import { Random } from '../src/risk/simulate/random.js';

const { values } = parseArgs({
  options: { entities: { type: 'string', default: '20000' }, lines: { type: 'string', default: '200000' }, baseline: { type: 'string' }, json: { type: 'boolean', default: false } },
});
const gc = (globalThis as { gc?: () => void }).gc;
const geo = openGeoLocator({ defaultAccuracyKm: 100, unknownCidrs: [] });
const sim = simulate(geo, { seed: 7 });
const events = sim.events;

// The simulated clock's times, parsed before timing (in production the clock is Date.now()).
const times = Float64Array.from(events, (e) => Date.parse(e.time));

type CreateEngine = typeof createRiskEngine;
type ParseLog = typeof parseLog;
interface Pass {
  cpu: number;
  wall: number;
  detections: number;
}

/** The other checkout's engine and importer (`--baseline`), loaded through tsx like this one's. */
const baseline = values.baseline
  ? {
      dir: resolve(values.baseline),
      create: ((await import(pathToFileURL(resolve(values.baseline, 'src/risk/engine.ts')).href)) as { createRiskEngine: CreateEngine }).createRiskEngine,
      parse: ((await import(pathToFileURL(resolve(values.baseline, 'src/risk/connectors/index.ts')).href)) as { parseLog: ParseLog }).parseLog,
    }
  : undefined;

function run(evs: readonly WardenEvent[], at: Float64Array, create: CreateEngine = createRiskEngine): Pass {
  let now = 0;
  const engine = create({ db: openMemoryDatabase(), config: { persistIntervalSeconds: 0 }, geo, clock: () => now });
  let detections = 0;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < evs.length; i++) {
    now = at[i]!;
    detections += engine.process(evs[i]!).length;
  }
  const wall = (performance.now() - w0) / 1000;
  const c = process.cpuUsage(c0);
  engine.close();
  return { cpu: (c.user + c.system) / 1e6, wall, detections };
}

const fastest = <T extends { cpu: number }>(list: T[]): T => list.reduce((a, b) => (b.cpu < a.cpu ? b : a));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * `n` passes of `pass(side)` for this version, and with `--baseline` as many of the baseline's, in
 * alternating order (new-old, old-new, ...) so that a change of machine load hits both alike.
 */
function alternate<T extends { cpu: number }>(n: number, pass: (old: boolean) => T): { mine: T[]; theirs: T[] } {
  const mine: T[] = [];
  const theirs: T[] = [];
  for (let i = 0; i < n; i++) {
    const order = i % 2 === 0 ? [false, true] : [true, false];
    for (const old of order) {
      if (old && !baseline) continue;
      (old ? theirs : mine).push(pass(old));
    }
  }
  return { mine, theirs };
}

/** Old CPU time over new for each pair of passes (> 1: this version is faster), and its median. */
function compare(mine: { cpu: number }[], theirs: { cpu: number }[], units: number): Record<string, unknown> | undefined {
  if (!baseline) return undefined;
  const ratios = mine.map((m, i) => theirs[i]!.cpu / m.cpu);
  return {
    baselinePerSecondCpu: Math.round(units / fastest(theirs).cpu),
    baselinePassesCpuSeconds: theirs.map((p) => Number(p.cpu.toFixed(3))),
    speedupMedian: Number(median(ratios).toFixed(3)),
    speedupOfFastest: Number((fastest(theirs).cpu / fastest(mine).cpu).toFixed(3)),
    speedupPerPair: ratios.map((r) => Number(r.toFixed(3))),
  };
}

alternate(1, (old) => run(events, times, old ? baseline!.create : undefined)); // warm-up: JIT and the geo cache
const engineRuns = alternate(5, (old) => run(events, times, old ? baseline!.create : undefined));
const passes = engineRuns.mine;
const best = fastest(passes);

// snapshot() on the request path
let now = Date.parse(events.at(-1)!.time);
const engine = createRiskEngine({ db: openMemoryDatabase(), config: { persistIntervalSeconds: 0 }, geo, clock: () => now });
for (const e of events) {
  now = Date.parse(e.time);
  engine.process(e);
}
const principals = sim.org.users.map((u) => ({ type: 'User', id: u.id }));
const N = 1_000_000;
const s0 = process.cpuUsage();
let sum = 0;
for (let i = 0; i < N; i++) sum += engine.snapshot(principals[i % principals.length]!).score;
const sc = process.cpuUsage(s0);
const snapshotsPerSecond = N / ((sc.user + sc.system) / 1e6);
engine.close();

// snapshot() of principals that carry live factors (5 detectors each)
const t5 = Date.parse('2026-11-01T00:00:00Z');
const loaded = createRiskEngine({ db: openMemoryDatabase(), config: { persistIntervalSeconds: 0 }, geo: null, clock: () => t5 });
const busy = Array.from({ length: 1000 }, (_, i) => ({ type: 'User', id: `busy${i}` }));
for (const p of busy) {
  for (let k = 0; k < 5; k++) {
    loaded.process({ type: 'detection', id: `00000000-0000-4000-9000-${String(Math.random()).slice(2, 14).padEnd(12, '0')}`, time: new Date(t5 - k * 60_000).toISOString(), detector: `guard.d${k}`, category: 'guard', entity: p, score: 0.9, severity: 'high', explanation: 'x' });
  }
}
const b0 = process.cpuUsage();
for (let i = 0; i < N; i++) sum += loaded.snapshot(busy[i % busy.length]!).score;
const bc = process.cpuUsage(b0);
const loadedSnapshotsPerSecond = N / ((bc.user + bc.system) / 1e6);
loaded.close();

// memory per tracked entity
const entities = Number(values.entities);
gc?.();
const heap0 = process.memoryUsage().heapUsed;
let t = Date.parse('2026-10-05T00:00:00Z');
const mem = createRiskEngine({ db: openMemoryDatabase(), config: { persistIntervalSeconds: 0 }, geo: null, clock: () => t });
for (let i = 0; i < entities; i++) {
  const principal = { type: 'User', id: `user${i}@example.com`, groups: [`team${i % 50}`] };
  for (let k = 0; k < 20; k++) {
    t += 1000;
    const base = { id: `00000000-0000-4000-8000-${String(i * 20 + k).padStart(12, '0')}`, time: new Date(t + k * 3_600_000).toISOString() };
    const ip = `10.${(i >> 8) & 255}.${i & 255}.${k % 3}`;
    mem.process({ ...base, type: 'authentication', method: 'jwt', outcome: 'success', principal, sourceIp: ip, device: `dev-${i}-${k % 2}`, userAgent: 'Mozilla/5.0 Chrome/126.0', credentialId: `s-${i}-${k}` });
    mem.process({
      ...base,
      id: base.id.replace('-4000-', '-4001-'),
      type: 'decision', requestId: 'r', decisionId: 'd', principal, action: 'invoke', resource: { type: 'Model', id: `m${k % 5}` }, route: 'chat', method: 'POST', path: '/v1/chat/completions',
      sourceIp: ip, outcome: 'allow', enforced: true, policyIds: [], status: 200, usage: { promptTokens: 500, completionTokens: 200 }, latencyMs: { total: 1 },
    });
  }
}
gc?.();
const heap1 = process.memoryUsage().heapUsed;
const bytesPerEntity = (heap1 - heap0) / mem.entityCount;
mem.close();

// The importer: a generated auth log of an internet-facing server.
function authLog(lines: number): string {
  const rng = new Random(3);
  const out: string[] = [];
  let t = Date.parse('2026-03-01T00:00:00Z');
  let pid = 1000;
  const stamp = (): string => new Date(t).toISOString().replace('Z', '+00:00');
  const push = (prog: string, msg: string): void => void out.push(`${stamp()} web-1 ${prog}: ${msg}`);
  const attackers = Array.from({ length: 300 }, () => `${rng.int(1, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`);
  const names = ['admin', 'test', 'oracle', 'ubuntu', 'git', 'postgres', 'user', 'pi', 'support', 'guest'];
  while (out.length < lines) {
    t += rng.int(1, 20) * 1000;
    const r = rng.next();
    const sshd = `sshd[${++pid}]`;
    if (r < 0.45) {
      const ip = rng.pick(attackers);
      const user = rng.pick(names);
      push(sshd, `Invalid user ${user} from ${ip} port ${rng.int(1024, 65535)}`);
      push(sshd, `input_userauth_request: invalid user ${user} [preauth]`);
      push(sshd, 'pam_unix(sshd:auth): check pass; user unknown');
      push(sshd, `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}`);
      push(sshd, `Failed password for invalid user ${user} from ${ip} port ${rng.int(1024, 65535)} ssh2`);
      push(sshd, `Received disconnect from ${ip} port ${rng.int(1024, 65535)}:11: Bye Bye [preauth]`);
    } else if (r < 0.75) {
      const ip = rng.pick(attackers);
      push(sshd, `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`);
      push(sshd, `Failed password for root from ${ip} port ${rng.int(1024, 65535)} ssh2`);
      push(sshd, `message repeated 5 times: [ Failed password for root from ${ip} port ${rng.int(1024, 65535)} ssh2]`);
      push(sshd, `error: maximum authentication attempts exceeded for root from ${ip} port 22 ssh2 [preauth]`);
      push(sshd, `PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`);
    } else if (r < 0.8) {
      push(sshd, `reverse mapping checking getaddrinfo for host-${rng.int(1, 999)}.example.net [${rng.pick(attackers)}] failed - POSSIBLE BREAK-IN ATTEMPT!`);
      push(sshd, `Connection closed by ${rng.pick(attackers)} port ${rng.int(1024, 65535)} [preauth]`);
    } else if (r < 0.9) {
      const user = `user${rng.int(1, 40)}`;
      push(sshd, `Accepted publickey for ${user} from 81.2.69.${rng.int(1, 254)} port ${rng.int(1024, 65535)} ssh2: ED25519 SHA256:k${rng.int(1, 40)}`);
      push(sshd, `pam_unix(sshd:session): session opened for user ${user}(uid=1000) by (uid=0)`);
      push('systemd-logind[600]', `New session ${pid} of user ${user}.`);
      push('sudo', `    ${user} : TTY=pts/0 ; PWD=/home/${user} ; USER=root ; COMMAND=/usr/bin/systemctl restart app`);
      push('sudo', 'pam_unix(sudo:session): session opened for user root(uid=0) by (uid=1000)');
    } else {
      push(`CRON[${pid}]`, 'pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)');
      push(`CRON[${pid + 1}]`, '(root) CMD (run-parts /etc/cron.hourly)');
      push('kernel', `[${rng.int(1, 99999)}.1] UFW BLOCK IN=eth0 SRC=${rng.pick(attackers)}`);
    }
  }
  return out.slice(0, lines).join('\n');
}
const logText = authLog(Number(values.lines));
const importRuns = alternate(3, (old) => {
  const c0 = process.cpuUsage();
  const r = (old ? baseline!.parse : parseLog)(logText, 'syslog');
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, r };
});
const fastestImport = fastest(importRuns.mine);
const imported = fastestImport.r;
const hostTimes = Float64Array.from(imported.events, (e) => Date.parse(e.time));
const hostRuns = alternate(3, (old) => run(imported.events, hostTimes, old ? baseline!.create : undefined));
const hostBest = fastest(hostRuns.mine);

const result = {
  importLines: imported.records,
  importLinesPerSecondCpu: Math.round(imported.records / fastestImport.cpu),
  importEvents: imported.events.length,
  importSkipped: imported.skipped,
  hostEventsPerSecondCpu: Math.round(imported.events.length / hostBest.cpu),
  hostDetections: hostBest.detections,
  events: events.length,
  eventsPerSecondCpu: Math.round(events.length / best.cpu),
  eventsPerSecondWall: Math.round(events.length / best.wall),
  passesCpuSeconds: passes.map((p) => Number(p.cpu.toFixed(3))),
  detections: best.detections,
  snapshotsPerSecond: Math.round(snapshotsPerSecond),
  snapshotMicros: Number((1e6 / snapshotsPerSecond).toFixed(3)),
  snapshotWithFactorsMicros: Number((1e6 / loadedSnapshotsPerSecond).toFixed(3)),
  entitiesTracked: entities,
  bytesPerEntity: Math.round(bytesPerEntity),
  gcExposed: gc !== undefined,
  checksum: sum,
  loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  ...(baseline
    ? {
        baseline: {
          dir: baseline.dir,
          engine: compare(engineRuns.mine, engineRuns.theirs, events.length),
          hostEngine: compare(hostRuns.mine, hostRuns.theirs, imported.events.length),
          importer: compare(importRuns.mine, importRuns.theirs, imported.records),
          sameDetections: engineRuns.theirs.every((p) => p.detections === best.detections) && hostRuns.theirs.every((p) => p.detections === hostBest.detections),
        },
      }
    : {}),
};
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`risk engine, one core (machine shared: CPU time is the figure to read)
  events scored: ${result.events} per pass; ${result.eventsPerSecondCpu.toLocaleString('en')} events/s by CPU time, ${result.eventsPerSecondWall.toLocaleString('en')} by wall time (target >= 200,000)
  passes (CPU s): ${result.passesCpuSeconds.join(', ')}; detections per pass: ${result.detections}
  snapshot(): ${result.snapshotsPerSecond.toLocaleString('en')} calls/s over the simulated users (${result.snapshotMicros} us each; most have no live factor); ${result.snapshotWithFactorsMicros} us with 5 live factors
  memory: ${result.bytesPerEntity.toLocaleString('en')} bytes per tracked principal (${entities} principals, 40 events each${result.gcExposed ? '' : '; run with --expose-gc for a stable figure'})
  importer: ${result.importLines.toLocaleString('en')} auth-log lines -> ${result.importEvents.toLocaleString('en')} events (${result.importSkipped.toLocaleString('en')} counted by reason): ${result.importLinesPerSecondCpu.toLocaleString('en')} lines/s by CPU time
  engine on the imported host events: ${result.hostEventsPerSecondCpu.toLocaleString('en')} events/s by CPU time, ${result.hostDetections} detections
  load average: ${result.loadAverage.join(', ')}`);
  if (result.baseline) {
    const b = result.baseline;
    const line = (name: string, c: Record<string, unknown> | undefined, unit: string): string =>
      `  ${name}: baseline ${Number(c?.baselinePerSecondCpu).toLocaleString('en')} ${unit}/s by CPU time (passes ${(c?.baselinePassesCpuSeconds as number[]).join(', ')} s); this one faster by x${String(c?.speedupMedian)} (median of pairs ${(c?.speedupPerPair as number[]).join(', ')}), x${String(c?.speedupOfFastest)} fastest vs fastest`;
    console.log(`side by side with ${b.dir} (alternating passes):
${line('engine', b.engine, 'events')}
${line('engine on host events', b.hostEngine, 'events')}
${line('importer', b.importer, 'lines')}
  same detections as the baseline: ${b.sameDetections ? 'yes' : 'NO'}`);
  }
}
