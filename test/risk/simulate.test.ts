import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, openGeoLocator, simulate } from '../../src/risk/index.js';

test('simulated organisation: every labelled attack is detected, few benign principals flagged', () => {
  const geo = openGeoLocator({ defaultAccuracyKm: 100, unknownCidrs: [] });
  const sim = simulate(geo, { seed: 11, days: 28, usersPerTeam: 6 });
  assert.deepEqual(sim.labels.map((l) => l.scenario).slice(7), ['host_brute_force_success', 'host_insider_account_sudo', 'host_dormant_account_wakes']);
  const times = sim.events.map((e) => Date.parse(e.time));
  assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]!), 'events in time order');
  const ev = evaluate(sim, geo);
  for (const s of ev.scenarios) assert.ok(s.detected, `${s.scenario} not detected`);
  assert.ok(ev.falsePositiveRate <= 0.01, `false-positive rate ${ev.falsePositiveRate}`);
});
