import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVolumeDetector, ENTITY_VOLUME_OPTIONS } from '../../src/risk/volume/index.js';
import { Random } from '../../src/risk/index.js';

const HOUR = 3_600_000;
const MONDAY = Date.UTC(2026, 0, 5);

/** hourly requests of an office worker: 40/h on weekday working hours, 1/h at night, 3/h at weekends */
function hourly(h: number): number {
  const day = Math.floor(h / 24) % 7;
  const hour = h % 24;
  return day < 5 && hour >= 9 && hour < 17 ? 40 : day < 5 ? 1 : 3;
}

test('entity preset: a 5x surge is flagged in its first hour; quiet weeks stay quiet', () => {
  const surgeAt = (5 * 7 + 2) * 24 + 11; // week 6, Wednesday 11:00
  let falseAlerts = 0;
  for (let seed = 1; seed <= 10; seed++) {
    const r = new Random(seed);
    const det = createVolumeDetector(ENTITY_VOLUME_OPTIONS);
    let flaggedAt = -1;
    for (let h = 0; h < 6 * 7 * 24; h++) {
      const surge = h >= surgeAt && h < surgeAt + 3;
      const res = det.update(r.poisson(hourly(h) * (surge ? 5 : 1)), MONDAY + h * HOUR);
      if (res.score < 0.4) continue;
      if (surge && flaggedAt < 0) flaggedAt = h;
      else if (!surge && h > 14 * 24) falseAlerts++;
    }
    assert.equal(flaggedAt, surgeAt, `seed ${seed}`);
  }
  // 10 entities x 4 weeks after learning: allow at most one stray alert in all
  assert.ok(falseAlerts <= 1, `${falseAlerts} false alerts`);
});

test('entity preset: a drop in volume is not an alert', () => {
  const r = new Random(99);
  const det = createVolumeDetector(ENTITY_VOLUME_OPTIONS);
  for (let h = 0; h < 4 * 7 * 24; h++) {
    const res = det.update(r.poisson(h >= 3 * 7 * 24 ? 0.5 : hourly(h)), MONDAY + h * HOUR);
    if (h >= 3 * 7 * 24) assert.ok(res.score < 0.4, `hour ${h}: ${res.explanation}`);
  }
});
