/**
 * Differential fuzzer: the compiled Cedar evaluator against cedar-wasm on random worlds and requests.
 *   npm run fuzz:cedar -- --requests 100000 --seed 7 [--per-world 25] [--all]
 * Prints a minimal reproducing case for a disagreement and exits 1; exits 0 when all agreed.
 */
import { parseArgs } from 'node:util';
import { formatDisagreement, runFuzz } from '../src/policy/testing/fuzz/index.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    'per-world': { type: 'string', default: '25' },
    all: { type: 'boolean', default: false },
  },
});
const requests = Number(values.requests);
const seed = Number(values.seed);
const perWorld = Number(values['per-world']);
if (!Number.isSafeInteger(requests) || requests < 1 || !Number.isSafeInteger(seed) || !Number.isSafeInteger(perWorld) || perWorld < 1) {
  console.error('usage: fuzz-cedar --requests N --seed S [--per-world K] [--all]');
  process.exit(2);
}
const started = process.hrtime.bigint();
const report = runFuzz({
  requests,
  seed,
  requestsPerWorld: perWorld,
  stopOnFirst: !values.all,
  onProgress: (r) => {
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    console.error(`${r.requests} requests, ${r.worlds} worlds, ${s.toFixed(0)} s, ${r.disagreements.length} disagreements so far`);
  },
  onDisagreement: (d) => {
    console.log('DISAGREEMENT (minimal case):');
    console.log(formatDisagreement(d));
  },
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  `seed ${seed}: ${report.requests} requests over ${report.worlds} worlds in ${seconds.toFixed(1)} s; ` +
    `${report.allow} allow, ${report.withErrors} with policy errors; ${report.unsupportedWorlds} worlds unsupported, ` +
    `${report.unparsableWorlds} unparsable; ${report.failedBoth} failed on both; ${report.disagreements.length} disagreements`,
);
console.log(
  `${report.schemaWorlds} worlds (${report.schemaRequests} requests) with a schema; ${report.bigIntRequests} requests with Longs beyond 2^53 in their data`,
);
console.log(`policy errors by kind: ${JSON.stringify(report.errorKinds)}`);
process.exitCode = report.disagreements.length > 0 || report.unparsableWorlds > 0 ? 1 : 0;
