/**
 * Throughput and memory of the volume detector (no data needed):
 *   node --expose-gc --import tsx eval/nab/throughput.ts
 * Updates per second on one core over 10,000 series (as the risk engine keeps one per entity and
 * metric), and heap bytes per detector.
 */
import { createVolumeDetector, type VolumeDetector } from '../../src/risk/volume/index.js';

const SERIES = 10_000;
const ROUNDS = 60;
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage().heapUsed;
const detectors: VolumeDetector[] = Array.from({ length: SERIES }, () => createVolumeDetector());
gc?.();
const perDetector = (process.memoryUsage().heapUsed - before) / SERIES;
let sink = 0;
const t0 = performance.now();
for (let r = 0; r < ROUNDS; r++) {
  const ts = Date.UTC(2026, 0, 1) + r * 3_600_000;
  for (let i = 0; i < SERIES; i++) sink += (detectors[i] as VolumeDetector).update(((i * 7 + r * 13) % 100) + 50, ts).score;
}
const ms = performance.now() - t0;
const updates = SERIES * ROUNDS;
console.log(`${updates} updates over ${SERIES} series in ${ms.toFixed(0)} ms: ${Math.round((updates / ms) * 1000)} updates/s on one core`);
console.log(`heap per detector: ${gc ? `${Math.round(perDetector)} bytes` : 'run with --expose-gc to measure'} (checksum ${sink.toFixed(1)})`);
