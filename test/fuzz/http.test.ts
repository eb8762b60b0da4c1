/**
 * The bounded HTTP fuzzer (issue 10, "Also"): 2,000 seeded hostile requests against a real
 * Warden with the demo upstream. Nothing may come back as a 5xx from Warden itself, no answer or log line
 * may hold a stack trace or a secret, and the process is alive and healthy at the end. The seed is
 * printed, so a failure replays with `npm run fuzz:http -- --seed N --requests M`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLog, fuzz } from './http-fuzz.js';
import { startFuzzTarget } from './target.js';
import type { WardenProcess } from '../helpers/warden-process.js';
import type { FuzzTarget } from './http-fuzz.js';

let warden: WardenProcess;
let target: FuzzTarget;
before(async () => {
  ({ warden, target } = await startFuzzTarget());
});
after(async () => {
  await warden?.stop();
});

const SEED = Number(process.env.WARDEN_FUZZ_SEED ?? 20261206);
const COUNT = 2000;

test(`${COUNT} seeded hostile requests (seed ${SEED}): no 5xx from Warden, no stack trace or secret, still alive`, async (t) => {
  const report = await fuzz(target, { seed: SEED, count: COUNT, concurrency: 8 });
  t.diagnostic(`statuses: ${JSON.stringify(report.statuses)}`);
  assert.equal(report.requests, COUNT);
  assert.deepEqual(report.problems.slice(0, 10), [], `problems: ${report.problems.length}`);
  // The run reached the handlers: successes, refusals and validation failures all occurred.
  for (const status of ['200', '400', '401', '403', '404', '415']) assert.ok((report.statuses[status] ?? 0) > 0, `some ${status}: ${JSON.stringify(report.statuses)}`);
  const health = await fetch(`${target.url}/healthz`);
  assert.equal(health.status, 200, 'the process is alive');
  assert.deepEqual(checkLog(warden.output(), [...target.secrets, ...Object.values(target.keys)]).slice(0, 10), []);
});
