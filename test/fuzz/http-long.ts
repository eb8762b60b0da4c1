/**
 * The long HTTP fuzzing run: `npm run fuzz:http -- [--requests N] [--seed S] [--concurrency C]`
 * (default 20,000 requests). Starts a real Warden with the demo upstream, fuzzes it, checks its log, and
 * prints the figures (requests, statuses, 5xx, stack traces, secrets); exits 1 on any problem.
 */
import { parseArgs } from 'node:util';
import { checkLog, fuzz } from './http-fuzz.js';
import { startFuzzTarget } from './target.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, seed: { type: 'string', default: String(Date.now() % 2 ** 31) }, concurrency: { type: 'string', default: '8' } } });
const count = Number(values.requests);
const seed = Number(values.seed);
const { warden, target } = await startFuzzTarget();
const t0 = performance.now();
let report;
try {
  report = await fuzz(target, { seed, count, concurrency: Number(values.concurrency), onProgress: (n) => process.stderr.write(`${n} requests\n`) });
  const health = await fetch(`${target.url}/healthz`).then((r) => r.status, () => 0);
  const logProblems = checkLog(warden.output(), [...target.secrets, ...Object.values(target.keys)]);
  const problems = [...report.problems, ...logProblems];
  const count5xx = Object.entries(report.statuses).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
  console.log(
    JSON.stringify(
      {
        seed,
        requests: report.requests,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
        statuses: report.statuses,
        warden5xx: report.problems.filter((p) => p.kind === '5xx').length,
        all5xx: count5xx,
        stackTraces: problems.filter((p) => p.kind === 'stack').length,
        secretLeaks: problems.filter((p) => p.kind === 'secret').length,
        transportErrors: problems.filter((p) => p.kind === 'transport').length,
        aliveAtEnd: health === 200,
        firstProblems: problems.slice(0, 10),
      },
      null,
      2,
    ),
  );
  process.exitCode = problems.length === 0 && health === 200 ? 0 : 1;
} finally {
  await warden.stop();
}
