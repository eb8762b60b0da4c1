/**
 * Guard latency bench: time added to each streamed chunk by the output inspector (and to the first token),
 * the input inspection of a ~1 KB chat request, and DLP scan throughput on plain text (CPU time, one core).
 * Usage: node --import tsx bench/guard-output.ts [--streams 200]
 * The machine may be shared: compare figures from the same run only.
 */
import { createGuard } from '../src/guard/index.js';
import { scanText } from '../src/guard/dlp/index.js';

const streams = Number(process.argv[process.argv.indexOf('--streams') + 1]) || 200;
const guard = createGuard({ output: { allowedHosts: ['docs.example.com'] } });
const route = guard.routeOptions();

const ANSWER = [
  'Sure, here is a summary of the incident report you shared. ',
  'The on-call engineer, reachable at +1 415-555-2671 or oncall@example.com, rotated the credentials at 14:05. ',
  'The leaked key ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5 has been revoked and the new one is stored in the vault. ',
  'Affected hosts were 10.20.30.40 and 10.20.30.41; see [the runbook](https://docs.example.com/runbook) for details.\n\n',
  'Next steps:\n1. Review the access logs for the last 30 days.\n2. Confirm that no data left the network.\n',
  '3. Schedule a post-mortem with the security team and the platform owners.\n',
].join('').repeat(4);

/** Token-sized chunks (3 to 12 characters), as an LLM stream delivers them. */
function chunk(text: string, seed: number): string[] {
  const out: string[] = [];
  let i = 0;
  let s = seed;
  while (i < text.length) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = 3 + (s % 10);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const perChunk: number[] = [];
/** The same, in CPU time of this process (not inflated when the machine preempts us). */
const perChunkCpu: number[] = [];
const firstTokenCpu: number[] = [];
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const firstToken: number[] = [];
const endTimes: number[] = [];
let releasedFirst = 0;
let chunksTotal = 0;
for (let k = 0; k < streams + 20; k++) {
  const chunks = chunk(ANSWER, k + 1);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const inspector = guard.createOutputInspector({ route, canaries: [guard.systemPromptCanary()] });
  const first = inspector.push(chunks[0]!);
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  if (k >= 20) {
    firstToken.push(Number(t1 - t0) / 1e6);
    firstTokenCpu.push(cpuMs(c1));
    if (first.text === chunks[0]) releasedFirst++;
  }
  for (const c of chunks.slice(1)) {
    const ca = process.cpuUsage();
    const a = process.hrtime.bigint();
    inspector.push(c);
    const b = process.hrtime.bigint();
    const cb = process.cpuUsage(ca);
    if (k >= 20) {
      perChunk.push(Number(b - a) / 1e6);
      perChunkCpu.push(cpuMs(cb));
    }
  }
  const a = process.hrtime.bigint();
  inspector.end();
  if (k >= 20) endTimes.push(Number(process.hrtime.bigint() - a) / 1e6);
  chunksTotal += chunks.length;
}

const request = { model: 'm', messages: [{ role: 'system', content: 'You are a helpful assistant for the platform team.' }, { role: 'user', content: ANSWER.slice(0, 1024) }] };
const inputTimes: number[] = [];
for (let k = 0; k < 220; k++) {
  const t = process.hrtime.bigint();
  guard.inspectRequest(request, route);
  if (k >= 20) inputTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
}

const prose = ('The quarterly report covers revenue, hiring and the roadmap for the next two releases. '.repeat(40) + '\n').repeat(50);
scanText(prose.slice(0, 10_000));
const cpu0 = process.cpuUsage();
let bytes = 0;
for (let r = 0; r < 5; r++) for (let i = 0; i < prose.length; i += 4096) {
  const piece = prose.slice(i, i + 4096);
  scanText(piece);
  bytes += Buffer.byteLength(piece);
}
const cpu = process.cpuUsage(cpu0);
const mbps = bytes / 1e6 / ((cpu.user + cpu.system) / 1e6);

const f = (x: number): string => x.toFixed(3);
console.log(`output inspector, ${streams} streams of ${ANSWER.length} chars in ${Math.round(chunksTotal / (streams + 20))} chunks (3-12 chars each)`);
console.log(`  added time to first token (create + first push): p50 ${f(pct(firstToken, 50))} ms, p99 ${f(pct(firstToken, 99))} ms; first chunk released at once in ${releasedFirst}/${streams} streams`);
console.log(`  per chunk push: p50 ${f(pct(perChunk, 50))} ms, p99 ${f(pct(perChunk, 99))} ms, max ${f(Math.max(...perChunk))} ms (wall clock)`);
console.log(`  CPU time: first token p50 ${f(pct(firstTokenCpu, 50))} ms, p99 ${f(pct(firstTokenCpu, 99))} ms; per chunk p50 ${f(pct(perChunkCpu, 50))} ms, p99 ${f(pct(perChunkCpu, 99))} ms, mean ${f(perChunkCpu.reduce((a, b) => a + b, 0) / perChunkCpu.length)} ms`);
console.log(`  machine load average: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} CPUs`);
console.log(`  end(): p50 ${f(pct(endTimes, 50))} ms`);
console.log(`input inspection of a ${JSON.stringify(request).length}-byte chat request (injection + DLP): p50 ${f(pct(inputTimes, 50))} ms, p99 ${f(pct(inputTimes, 99))} ms`);
console.log(`DLP scanText on plain prose: ${mbps.toFixed(1)} MB/s of CPU time (one core)`);
