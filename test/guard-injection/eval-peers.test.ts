import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPeer, type Peer } from '../../eval/guard/peers.js';
import { macroSummary, type ScoredRow } from '../../eval/guard/metrics.js';

const row = (i: number, label: 0 | 1, source: string): ScoredRow & { text: string } => ({ row: i, source, origin: source, category: label ? 'injection' : 'benign-chat', label, score: 0, flagged: false, text: `text ${i}` });

test('a peer that throws is counted per text and left out of its rates, never scored "not flagged"', async () => {
  const rows = [row(0, 1, 'a'), row(1, 1, 'a'), row(2, 0, 'a'), row(3, 1, 'b')];
  const peer: Peer = {
    name: 'flaky',
    detect: async (t) => {
      if (t === 'text 1' || t === 'text 3') throw new Error('peer crashed');
      return true;
    },
  };
  const r = await runPeer(peer, rows);
  assert.equal(r.errors, 2);
  assert.deepEqual(r.scored.map((s) => s.row), [0, 2]);
  // Had the errors been scored "not flagged", recall on source a would be 50% and source b would count 0%.
  const m = macroSummary(r.scored);
  assert.equal(m.perCategory.injection?.rate, 1);
  assert.equal(m.perCategory.injection?.sources, 1);
});

test('macro figures weigh every source the same, whatever its size', () => {
  const scored: ScoredRow[] = [
    ...Array.from({ length: 100 }, (_, i) => ({ ...row(i, 1, 'big'), flagged: true })),
    ...Array.from({ length: 4 }, (_, i) => ({ ...row(100 + i, 1, 'small'), flagged: i < 1 })),
    ...Array.from({ length: 10 }, (_, i) => ({ ...row(200 + i, 0, 'benign'), flagged: i < 1 })),
  ];
  const m = macroSummary(scored);
  assert.equal(m.attackRecall, (1 + 0.25) / 2);
  assert.equal(m.benignSpecificity, 0.9);
  assert.equal(m.perCategory.injection?.worstSource, 'small');
});
