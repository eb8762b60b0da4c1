import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVolumeDetector, DEFAULT_VOLUME_OPTIONS, volumeDetectorOptionsSchema } from '../../src/risk/volume/index.js';
import { WardenError } from '../../src/core/errors.js';
import { Random } from '../../src/risk/index.js';

const STEP = 5 * 60_000; // one point every 5 minutes, 288 a day
const T0 = Date.UTC(2026, 0, 5);

/** daily pattern 100 +- 40 with noise of about +-3 */
function daily(n: number, seed = 1): number[] {
  const r = new Random(seed);
  return Array.from({ length: n }, (_, i) => 100 + 40 * Math.sin((2 * Math.PI * i) / 288) + (r.next() - 0.5) * 6);
}

function run(values: number[]) {
  const det = createVolumeDetector();
  return values.map((v, i) => det.update(v, T0 + i * STEP));
}

const maxScore = (rs: Array<{ score: number }>, from: number, to: number) =>
  Math.max(...rs.slice(from, to).map((r) => r.score));

test('a short burst is flagged at once and explained against the expected value', () => {
  const values = daily(3000);
  const at = 2520; // near the daily trough: +60 stays inside the overall range, far from this time of day
  for (let i = at; i < at + 4; i++) values[i] = (values[i] as number) + 60;
  const rs = run(values);
  const first = rs.findIndex((r, i) => i >= at && r.score >= DEFAULT_VOLUME_OPTIONS.alertLevel);
  assert.ok(first >= at && first < at + 4, `first alert at ${first}`);
  assert.ok(maxScore(rs, 1000, at) < DEFAULT_VOLUME_OPTIONS.alertLevel, 'no alert in the quiet period');
  const hit = rs[first]!;
  assert.match(hit.explanation, /observed .* vs expected .*usual value at this time of day/);
  assert.ok(Math.abs(hit.expected - (values[first]! - 60)) < 15, `expected ${hit.expected}`);
});

test('a single in-range spike raises the level above anything in the quiet period', () => {
  const values = daily(3000, 5);
  values[2520] = (values[2520] as number) + 60;
  const rs = run(values);
  const quiet = Math.max(...rs.slice(1000, 2520).map((r) => r.level));
  assert.ok(rs[2520]!.level > quiet, `spike level ${rs[2520]!.level} vs quiet max ${quiet}`);
});

test('a level shift is flagged within a few points', () => {
  const values = daily(3000, 2).map((v, i) => (i >= 2500 ? v + 20 : v));
  const rs = run(values);
  const first = rs.findIndex((r, i) => i >= 2500 && r.score >= DEFAULT_VOLUME_OPTIONS.alertLevel);
  assert.ok(first >= 2500 && first < 2520, `first alert at ${first}`);
  assert.ok(maxScore(rs, 1000, 2499) < DEFAULT_VOLUME_OPTIONS.alertLevel, 'no alert before the shift');
});

test('a value beyond everything seen so far is a spatial anomaly with score 1', () => {
  const values = daily(1000, 3);
  values[900] = 500;
  const rs = run(values);
  assert.equal(rs[900]!.score, 1);
  assert.match(rs[900]!.explanation, /outside the range seen so far/);
});

test('one alert per episode: scores are suppressed right after an alert, the level is not', () => {
  const values = daily(3000, 4).map((v, i) => (i >= 2500 && i < 2540 ? v + 80 : v));
  const rs = run(values);
  const alerts = rs.slice(2500, 2530).filter((r) => r.score >= DEFAULT_VOLUME_OPTIONS.alertLevel).length;
  assert.equal(alerts, 1);
  assert.ok(rs.slice(2501, 2530).some((r) => r.level >= DEFAULT_VOLUME_OPTIONS.alertLevel));
});

test('learning period: nothing is flagged before it ends', () => {
  const det = createVolumeDetector({ learningPoints: 50 });
  for (let i = 0; i < 50; i++) assert.equal(det.update(i % 2 ? 1 : 1000, T0 + i * STEP).score, 0);
});

test('scores stay in [0, 1] and non-finite input does not crash', () => {
  const det = createVolumeDetector({ learningPoints: 5 });
  const inputs = [1, 2, Number.NaN, Number.POSITIVE_INFINITY, -5, 1e308, 0, 3, 2, 1, 0, 7];
  for (const [i, v] of inputs.entries()) {
    const r = det.update(v, T0 + i * STEP);
    assert.ok(r.score >= 0 && r.score <= 1 && Number.isFinite(r.expected), JSON.stringify(r));
  }
});

test('bad options are a config_invalid WardenError', () => {
  assert.throws(
    () => createVolumeDetector({ levelAlpha: 2 }),
    (e: unknown) => e instanceof WardenError && e.code === 'config_invalid' && /levelAlpha/.test(e.message),
  );
  assert.throws(() => createVolumeDetector({ nope: 1 } as never), WardenError);
  assert.equal(volumeDetectorOptionsSchema.parse({}).seasonBins, 48);
});

test('save/restore: a restored detector continues exactly where the saved one was', () => {
  const values = daily(1500, 6);
  const a = createVolumeDetector();
  for (let i = 0; i < 1000; i++) a.update(values[i] as number, T0 + i * STEP);
  const state = a.save();
  assert.ok(state.length < 300, `state has ${state.length} numbers`);
  const b = createVolumeDetector({}, Array.from(state));
  for (let i = 1000; i < 1500; i++) {
    const ra = a.update(values[i] as number, T0 + i * STEP);
    const rb = b.update(values[i] as number, T0 + i * STEP);
    assert.equal(rb.score, ra.score);
    assert.equal(rb.explanation, ra.explanation);
  }
  assert.deepEqual(createVolumeDetector({}, createVolumeDetector().save()).save(), createVolumeDetector().save());
});

test('a state that does not match the options, or holds NaN, is rejected', () => {
  const state = createVolumeDetector().save();
  assert.throws(() => createVolumeDetector({ seasonBins: 24 }, state), (e: unknown) => e instanceof WardenError && e.code === 'config_invalid');
  assert.throws(() => createVolumeDetector({}, state.slice(1)), WardenError);
  const bad = Float64Array.from(state);
  bad[bad.length - 1] = Number.NaN;
  assert.throws(() => createVolumeDetector({}, bad), WardenError);
});

test('explanations serialise with JSON.stringify', () => {
  const det = createVolumeDetector({ learningPoints: 1 });
  det.update(5, T0);
  const json = JSON.parse(JSON.stringify(det.update(6, T0 + STEP))) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json).sort(), ['expected', 'explanation', 'level', 'score']);
  assert.match(String(json.explanation), /observed 6 vs expected 5/);
});
