/**
 * Decision-point benchmark: cedar-wasm with the policy set preparsed against the compiled evaluator, in
 * the same process and run, on Warden's demo policy set (demo/) and on the Cedar example use cases
 * (../shared/data/cedar/examples, skipped when absent). Reports decisions per second and p50/p99
 * latency per decision, and the throughput ratio.
 *
 *   npm run bench:pdp
 *   npm run bench:pdp -- --wasm 2000 --compiled 50000 --rounds 3 [--only hotel]
 *
 * Each decision is checked to be equal on both engines before timing. Latency is timed per call with
 * process.hrtime.bigint() (which adds ~0.05 µs); throughput is a separate untimed loop. Rounds alternate
 * the engines and the median round is reported, to dampen the noise of a shared machine.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCompiledEvaluator, createWasmEvaluator, type AuthzRequest, type EntityJson, type EvaluatorInput, type PolicyEvaluator, type PolicySet } from '../src/policy/engine/index.js';
import { loadCases, policySetFromText } from '../src/policy/testing/index.js';

const ROOT = join(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, '..', 'shared', 'data', 'cedar', 'examples');

interface Workload {
  name: string;
  input: EvaluatorInput;
  requests: { request: AuthzRequest; entities: EntityJson[] }[];
}

interface Stats {
  perSecond: number;
  p50us: number;
  p99us: number;
}

const { values } = parseArgs({
  options: {
    wasm: { type: 'string', default: '1500' },
    compiled: { type: 'string', default: '40000' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});
const N_WASM = Number(values.wasm);
const N_COMPILED = Number(values.compiled);
const ROUNDS = Number(values.rounds);

function demoWorkload(): Workload | undefined {
  const dir = join(ROOT, 'demo', 'policies');
  if (!existsSync(dir)) return undefined;
  const staticPolicies: Record<string, string> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cedar')).sort()) {
    const set = policySetFromText(readFileSync(join(dir, file), 'utf8'), true);
    for (const [id, text] of Object.entries(set.staticPolicies as Record<string, string>)) staticPolicies[`${file}:${id}`] = text;
  }
  const policies: PolicySet = { staticPolicies };
  const entities = JSON.parse(readFileSync(join(ROOT, 'demo', 'entities.json'), 'utf8')) as EntityJson[];
  const W = (type: string, id: string): { type: string; id: string } => ({ type: `Warden::${type}`, id });
  const context = (score: number, mfa: boolean): AuthzRequest['context'] => ({
    time: { epochSeconds: 1_763_700_000, hourUtc: 10, weekdayUtc: 3 },
    ip: { __extn: { fn: 'ip', arg: '10.1.2.3' } },
    authn: { method: 'jwt', strength: mfa ? 2 : 1, mfa, ageSeconds: 300 },
    device: { present: true, id: 'dev-1', managed: true, compliant: true, osPatched: true, diskEncrypted: true },
    risk: { score, factors: score > 40 ? ['new_country'] : [] },
    delegation: { present: false },
    request: { model: 'gpt-internal', bytes: 2048, stream: false, method: 'POST', path: '/v1/chat/completions' },
  });
  const user = (id: string, groups: string[]): EntityJson => ({
    uid: W('User', id),
    attrs: { department: 'eng', clearance: 2, email: `${id}@example.com`, roles: ['dev'] },
    parents: groups.map((g) => W('Group', g)),
  });
  const model = (id: string, sensitivity: string): EntityJson => ({ uid: W('Model', id), attrs: { sensitivity, owner: 'ml' }, parents: [] });
  const dataset = (id: string, sensitivity: string): EntityJson => ({ uid: W('Dataset', id), attrs: { sensitivity, owner: 'data' }, parents: [] });
  const cases: [EntityJson, string, EntityJson, number, boolean][] = [
    [user('alice', ['engineering']), 'invoke', model('gpt-internal', 'internal'), 10, true],
    [user('bob', ['contractors']), 'invoke', model('gpt-conf', 'confidential'), 20, false],
    [user('carol', ['data-stewards']), 'write', dataset('sales', 'confidential'), 5, true],
    [user('dave', ['engineering']), 'read', dataset('pii', 'restricted'), 60, false],
    [user('erin', ['security']), 'embed', model('embedder', 'public'), 85, true],
  ];
  return {
    name: 'demo (Warden demo/policies)',
    input: { policies, entities },
    requests: cases.map(([principal, action, resource, score, mfa]) => ({
      request: { principal: principal.uid, action: W('Action', action), resource: resource.uid, context: context(score, mfa) },
      entities: [principal, resource],
    })),
  };
}

function exampleWorkloads(): Workload[] {
  if (!existsSync(EXAMPLES)) {
    console.log(`(skipping the Cedar example use cases: ${EXAMPLES} is absent)`);
    return [];
  }
  return loadCases([EXAMPLES], EXAMPLES).map((c) => ({
    name: `example ${c.name.split('cedar-example-use-cases/')[1] ?? c.name}`,
    input: c.input,
    requests: c.requests.map((r) => ({ request: r.request, entities: [] })),
  }));
}

// Each engine gets its own copy of the timing loops (the wasm* twins below are deliberate copies), so
// that each loop's call site stays monomorphic (one isAuthorized implementation inlined into it)
// instead of being re-optimised when the engine changes.
function latencyLoop(ev: PolicyEvaluator, w: Workload, n: number): number[] {
  const times = new Array<number>(n);
  const reqs = w.requests;
  for (let i = 0; i < n; i++) {
    const r = reqs[i % reqs.length] as Workload['requests'][number];
    const t0 = process.hrtime.bigint();
    ev.isAuthorized(r.request, r.entities);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return times.sort((a, b) => a - b);
}

function throughputLoop(ev: PolicyEvaluator, w: Workload, n: number): number {
  const reqs = w.requests;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = reqs[i % reqs.length] as Workload['requests'][number];
    ev.isAuthorized(r.request, r.entities);
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function wasmLatency(ev: PolicyEvaluator, w: Workload, n: number): number[] {
  const times = new Array<number>(n);
  const reqs = w.requests;
  for (let i = 0; i < n; i++) {
    const r = reqs[i % reqs.length] as Workload['requests'][number];
    const t0 = process.hrtime.bigint();
    ev.isAuthorized(r.request, r.entities);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return times.sort((a, b) => a - b);
}

function wasmThroughput(ev: PolicyEvaluator, w: Workload, n: number): number {
  const reqs = w.requests;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = reqs[i % reqs.length] as Workload['requests'][number];
    ev.isAuthorized(r.request, r.entities);
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const LOOPS = {
  compiled: { latency: latencyLoop, throughput: throughputLoop },
  wasm: { latency: wasmLatency, throughput: wasmThroughput },
};

function measure(ev: PolicyEvaluator, w: Workload, n: number): Stats {
  const loops = LOOPS[ev.engine];
  loops.latency(ev, w, Math.min(n, 2000)); // warm-up
  const times = loops.latency(ev, w, n);
  const q = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))] as number;
  return { perSecond: loops.throughput(ev, w, n), p50us: q(0.5), p99us: q(0.99) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function bench(w: Workload): { wasm: Stats; compiled: Stats } {
  const wasm = createWasmEvaluator(w.input);
  const compiled = createCompiledEvaluator(w.input);
  for (const r of w.requests) {
    const a = wasm.isAuthorized(r.request, r.entities);
    const b = compiled.isAuthorized(r.request, r.entities);
    if (a.decision !== b.decision || [...a.determining].sort().join() !== [...b.determining].sort().join()) {
      throw new Error(`${w.name}: the engines disagree on ${JSON.stringify(r.request)}`);
    }
  }
  const runs: { wasm: Stats[]; compiled: Stats[] } = { wasm: [], compiled: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.wasm.push(measure(wasm, w, N_WASM));
    runs.compiled.push(measure(compiled, w, N_COMPILED));
  }
  wasm.dispose();
  const pick = (s: Stats[]): Stats => ({
    perSecond: median(s.map((x) => x.perSecond)),
    p50us: median(s.map((x) => x.p50us)),
    p99us: median(s.map((x) => x.p99us)),
  });
  return { wasm: pick(runs.wasm), compiled: pick(runs.compiled) };
}

const workloads = [demoWorkload(), ...exampleWorkloads()]
  .filter((w): w is Workload => w !== undefined)
  .filter((w) => values.only === undefined || w.name.includes(values.only));
const fmt = (n: number, d = 1): string => n.toFixed(d).padStart(9);
console.log(`bench:pdp — ${N_WASM} wasm / ${N_COMPILED} compiled decisions per round, ${ROUNDS} rounds (median), node ${process.version}`);
console.log(`${'workload'.padEnd(42)} ${'wasm/s'.padStart(9)} ${'p50 µs'.padStart(9)} ${'p99 µs'.padStart(9)} | ${'comp/s'.padStart(9)} ${'p50 µs'.padStart(9)} ${'p99 µs'.padStart(9)} | ${'ratio'.padStart(7)}`);
const ratios: number[] = [];
for (const w of workloads) {
  const r = bench(w);
  const ratio = r.compiled.perSecond / r.wasm.perSecond;
  ratios.push(ratio);
  console.log(
    `${w.name.slice(0, 42).padEnd(42)} ${fmt(r.wasm.perSecond, 0)} ${fmt(r.wasm.p50us)} ${fmt(r.wasm.p99us)} | ${fmt(r.compiled.perSecond, 0)} ${fmt(r.compiled.p50us, 2)} ${fmt(r.compiled.p99us, 2)} | ${fmt(ratio, 1).slice(2)}x`,
  );
}
if (ratios.length > 0) {
  const geo = Math.exp(ratios.reduce((a, b) => a + Math.log(b), 0) / ratios.length);
  console.log(`geometric mean throughput ratio (compiled / wasm): ${geo.toFixed(1)}x`);
}
