import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Baseline, remember } from '../../src/risk/baseline/principal.js';
import { excess, VolumeBaseline } from '../../src/risk/baseline/volume.js';
import { RiskLedger } from '../../src/risk/scoring.js';

test('a baseline round-trips through JSON, including the hourly series detectors', () => {
  const b = new Baseline();
  b.touch(1000);
  b.devices.set('laptop', 1000);
  b.countHour(10);
  for (let h = 0; h < 50; h++) {
    b.volume.add(0, h, 10 + (h % 3));
    if (b.volume.closedHour >= 0) b.seriesDetector(0).update(b.volume.closedTotal, b.volume.closedHour * 3_600_000);
  }
  const copy = Baseline.fromJSON(JSON.parse(JSON.stringify(b.toJSON())));
  assert.deepEqual(copy.toJSON(), b.toJSON());
  assert.equal(copy.seriesDetector(0).update(12, 50 * 3_600_000).score, b.seriesDetector(0).update(12, 50 * 3_600_000).score);
  assert.equal(Baseline.fromJSON({ series: [[1, 2, 3]] }).seriesDetector(0).update(1, 0).score, 0, 'a mismatched saved state relearns');
  assert.equal(Baseline.fromJSON('garbage').events, 0);
});

test('bounded sets evict the stalest value', () => {
  const m = new Map<string, number>();
  for (let i = 0; i < 5; i++) remember(m, `v${i}`, 100 - i, 5);
  assert.equal(remember(m, 'new', 200, 5), true);
  assert.equal(m.size, 5);
  assert.equal(m.has('v4'), false, 'v4 was seen longest ago');
});

test('in-hour volume excess needs 4 deviations and 3x the typical active hour', () => {
  const v = new VolumeBaseline();
  for (let h = 0; h < 40; h++) v.add(0, h, 20 + (h % 5));
  v.add(0, 40, 1);
  const stats = v.stats(0);
  assert.ok(stats.n >= 40);
  assert.equal(excess(40, stats, 24), 0);
  assert.ok(excess(400, stats, 24) > 0.5);
  assert.equal(excess(400, { ...stats, n: 10 }, 24), 0, 'not before the minimum number of hours');
});

test('risk ledger: same-name factors count once, different names combine', () => {
  const ledger = new RiskLedger(60, 1);
  ledger.add('U:a', { name: 'x', weight: 40, t: 0, detail: '' });
  ledger.add('U:a', { name: 'x', weight: 30, t: 0, detail: '' });
  assert.equal(ledger.snapshot('U:a', 0).score, 40);
  ledger.add('U:a', { name: 'y', weight: 50, t: 0, detail: '' });
  assert.equal(ledger.snapshot('U:a', 0).score, 70); // 1 - 0.6 * 0.5
  assert.deepEqual(ledger.snapshot('U:b', 0), { score: 0, factors: [] });
});
