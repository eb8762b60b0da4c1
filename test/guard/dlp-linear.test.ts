/**
 * The DLP scan stays linear in its input: for inputs built to make a scanner rescan (one long line full of
 * keywords and secrets, quoted values without line breaks, long base64url runs full of `eyJ`, long token runs,
 * prose with names and phone numbers), the CPU time of 8x the input is compared with 1x. Linear work grows 8x,
 * quadratic work 64x; the bound sits between them, so the test needs no absolute time and tolerates a loaded
 * machine (each size is timed five times, interleaved, and the fastest run counts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanText } from '../../src/guard/dlp/index.js';

/** A seeded generator, so the inputs are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}
const random = lcg(11);
const b62 = (n: number): string =>
  Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 62)]).join('');
const filler = 'lorem ipsum dolor sit amet '.repeat(16);

/** Shape name -> input of `k` units. */
const SHAPES: Record<string, (k: number) => string> = {
  'one long line of prefixed tokens': (k) => Array.from({ length: k }, () => `ghp_${b62(36)} ${filler}`).join(''),
  'one long line of connection-string passwords': (k) => Array.from({ length: k }, () => `Server=db;Password=${b62(12)}; ${filler}`).join(''),
  'one long line of quoted keyed values': (k) => Array.from({ length: k }, () => `api_token = "${b62(24)}" ${filler}`).join(''),
  'a base64url run full of eyJ': (k) => 'eyJabcdefgh-'.repeat(k * 8),
  'long token runs without dots': (k) => Array.from({ length: k }, () => `abcdefghijklmnopqrstuvwxyz0123456789 ${filler}`).join(''),
  'prose with names, addresses and phones': (k) => 'Ship to Maria Lopez, 12 Calle Mayor, 28013 Madrid, Spain. Call +1 415 555 2671 now.\n'.repeat(k),
};

function cpuMicros(text: string): number {
  const c0 = process.cpuUsage();
  scanText(text);
  const c = process.cpuUsage(c0);
  return c.user + c.system;
}

/** The fastest of five runs of each size, the sizes interleaved so that a burst of load hits both alike. */
function growth(small: string, large: string): number {
  scanText(small); // warm up
  scanText(large);
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let i = 0; i < 5; i++) {
    bestSmall = Math.min(bestSmall, cpuMicros(small));
    bestLarge = Math.min(bestLarge, cpuMicros(large));
  }
  return bestLarge / Math.max(1, bestSmall);
}

for (const [name, make] of Object.entries(SHAPES)) {
  test(`scan work grows linearly: ${name}`, () => {
    const ratio = growth(make(100), make(800));
    assert.ok(ratio < 24, `8x the input took ${ratio.toFixed(1)}x the CPU time (linear: about 8, quadratic: 64)`);
  });
}
