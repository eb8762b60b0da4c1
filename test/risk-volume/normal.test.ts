import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erfc, tailProbability } from '../../src/risk/volume/normal.js';

test('erfc and the normal tail match reference values', () => {
  // reference values of erfc and Q(z) = P(Z > z)
  const cases: Array<[number, number]> = [
    [0, 1],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [2, 0.004677734981047266],
    [-1, 1.8427007929497148],
  ];
  for (const [x, want] of cases) assert.ok(Math.abs(erfc(x) - want) < 2e-7 * Math.max(1, want), `erfc(${x})`);
  assert.ok(Math.abs(tailProbability(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(tailProbability(1.959963984540054) - 0.025) < 1e-8);
  const q5 = tailProbability(4.264890793922825); // Q = 1e-5
  assert.ok(Math.abs(q5 - 1e-5) / 1e-5 < 1e-5, String(q5));
});
