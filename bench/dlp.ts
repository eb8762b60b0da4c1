/**
 * DLP throughput on mixed text, one core, CPU time (user + system: less sensitive to other load than wall
 * time). The corpus is built from this repository (its docs are prose, its sources code and configuration)
 * plus generated log and configuration lines carrying personal data and credentials, cut into 4 KB pieces
 * like request bodies. Every figure is printed beside the speed of a plain character loop over the same
 * pieces in the same run, so a loaded machine shows in the reference too.
 *
 * Usage: npm run bench:dlp [-- --baseline /path/to/other/checkout] [--mb 4] [--rounds 5]
 * Each row is the best of `--rounds` passes, the rows interleaved in every round (see bestMBps).
 * With --baseline, the scanText of another checkout (e.g. main, via `git worktree add`) runs side by side.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { findCandidates, scanText } from '../src/guard/dlp/index.js';

const root = join(import.meta.dirname, '..');
const arg = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const targetBytes = Number(arg('--mb') ?? 4) * 1e6;

function filesUnder(dir: string, ext: RegExp, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) filesUnder(full, ext, out);
    else if (ext.test(name) && !name.includes('generated')) out.push(full);
  }
  return out;
}

/** A seeded generator, so the corpus is the same on every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

function generatedLines(count: number): string[] {
  const r = lcg(7);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const b62 = (n: number): string => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(r() * 62)]).join('');
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      pick([
        `2026-11-0${1 + (i % 9)}T12:${10 + (i % 50)}:00Z INFO request from 10.${i % 250}.3.${i % 200} user=${pick(['anna', 'bob', 'chen'])} status=200 latency_ms=${i % 900}`,
        `export SERVICE_TOKEN=${pick(['qz', 'ab', 'kx'])}_live_${b62(32)}`,
        `db:\n  host: db.internal\n  password: "${b62(14)}!"`,
        `Please call me at +1 415 555 ${String(1000 + (i % 9000))} or write to user${i}@example.org about invoice ${hex(8)}.`,
        `{"event":"checkout","card":"4111 1111 1111 1111","amount":${i % 500},"currency":"EUR"}`,
        `The commit ${hex(40)} fixed the build; see https://example.com/issues/${i}.`,
        `Ship to Maria Lopez, 12 Calle Mayor, 28013 Madrid, Spain.`,
      ]),
    );
  }
  return lines;
}

function corpus(): string[] {
  const docs = [join(root, 'README.md'), ...filesUnder(join(root, 'docs'), /\.md$/)].map((f) => readFileSync(f, 'utf8'));
  const code = filesUnder(join(root, 'src'), /\.ts$/).slice(0, 120).map((f) => readFileSync(f, 'utf8'));
  const config = filesUnder(join(root, 'src'), /\.(?:ya?ml|json)$/).map((f) => readFileSync(f, 'utf8'));
  const mixed: string[] = [];
  const generated = generatedLines(4000);
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const part = [docs[i % docs.length]!, code[i % code.length]!, config.length ? config[i % config.length]! : '', generated.slice((i * 40) % 3960, ((i * 40) % 3960) + 40).join('\n')].join('\n\n');
    mixed.push(part);
    size += part.length;
  }
  const all = mixed.join('\n\n');
  const pieces: string[] = [];
  for (let i = 0; i < all.length; i += 4096) pieces.push(all.slice(i, i + 4096));
  return pieces;
}

/** CPU time (ms) of one pass of `fn` over every piece. */
function cpuMs(pieces: string[], fn: (text: string) => unknown): number {
  const c0 = process.cpuUsage();
  for (const p of pieces) fn(p);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/**
 * Best of `rounds` passes per row, the rows interleaved within each round: a burst of load from other processes
 * then slows every row alike instead of one, and the fastest pass is the least disturbed.
 */
function bestMBps(pieces: string[], rows: [string, (t: string) => unknown][], rounds: number): number[] {
  const bytes = pieces.reduce((a, p) => a + Buffer.byteLength(p), 0);
  for (const [, fn] of rows) for (const p of pieces.slice(0, 50)) fn(p); // warm up
  const best = rows.map(() => Infinity);
  for (let r = 0; r < rounds; r++) rows.forEach(([, fn], i) => (best[i] = Math.min(best[i]!, cpuMs(pieces, fn))));
  return best.map((ms) => bytes / 1e3 / ms);
}

async function main(): Promise<void> {
  const pieces = corpus();
  let sink = 0;
  const loop = (t: string): void => {
    for (let i = 0; i < t.length; i++) sink += t.charCodeAt(i);
  };
  const rows: [string, (t: string) => unknown][] = [
    ['reference: one charCodeAt loop', loop],
    ['fused candidate pass', findCandidates],
    ['scanText without PERSON/ADDRESS', (t) => scanText(t, { bestEffort: false })],
    ['scanText, every type', (t) => scanText(t)],
  ];
  const baseline = arg('--baseline');
  if (baseline) {
    const other = (await import(pathToFileURL(join(baseline, 'src/guard/dlp/index.ts')).href)) as { scanText: (t: string, o?: object) => unknown };
    rows.push(['baseline scanText without PERSON/ADDRESS', (t) => other.scanText(t, { bestEffort: false })]);
    rows.push(['baseline scanText, every type', (t) => other.scanText(t)]);
  }
  console.log(`corpus: ${pieces.length} pieces of 4 KB (${(pieces.reduce((a, p) => a + p.length, 0) / 1e6).toFixed(1)} MB); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const mbps = bestMBps(pieces, rows, Number(arg('--rounds') ?? 5));
  const results = rows.map(([name], i) => ({ name, mbps: mbps[i]! }));
  const ref = results[0]!.mbps;
  console.log('| what | MB/s (CPU, one core) | share of the reference loop |');
  console.log('|---|---|---|');
  for (const r of results) console.log(`| ${r.name} | ${r.mbps.toFixed(1)} | ${(r.mbps / ref).toFixed(3)} |`);
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}${sink === 0.5 ? '' : ''}`);
}

await main();
