/**
 * Output-guard behaviour found unchecked while preparing the mutation check of `guard-output`
 * (docs/mutation.md): every occurrence of a canary is handled, not only the first one found.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, type InjectionDetector } from '../../src/guard/index.js';

const quiet: InjectionDetector = () => ({ score: 0, flagged: false, reasons: [] });

/** Streams `parts` (each `CANARY` replaced by the guard's canary) through an inspector with the given canary action. */
function stream(canaryLeak: 'redact' | 'flag' | 'stop', parts: string[]) {
  // DLP off: a random canary can itself look like a generic secret (about one in several runs) and be
  // redacted by the secret detector, which would hide what `flag` does with it.
  const g = createGuard({ output: { canaryLeak }, dlp: { enabled: false } }, { detectInjection: quiet });
  const canary = g.systemPromptCanary();
  const inspector = g.createOutputInspector({ route: g.routeOptions(), canaries: [canary] });
  let text = '';
  let stop;
  for (const part of parts) {
    const r = inspector.push(part.replaceAll('CANARY', canary));
    text += r.text;
    stop ??= r.stop;
  }
  const end = inspector.end();
  return { canary, text: text + end.text, stop: stop ?? end.stop, leaks: end.findings.filter((f) => f.type === 'CANARY_LEAK') };
}

test('a canary repeated in the next part is redacted too (the first occurrence, already handled, hid it)', () => {
  const r = stream('redact', ['first CANARY ', 'and again CANARY done']);
  assert.equal(r.text, 'first [REDACTED] and again [REDACTED] done', 'no occurrence reaches the client');
  const second = `first ${r.canary} and again `.length;
  assert.deepEqual(r.leaks.map((f) => [f.start, f.end, f.action]), [[6, 6 + r.canary.length, 'redact'], [second, second + r.canary.length, 'redact']]);
});

test('a canary twice in one part is redacted twice, and flagged twice in flag mode', () => {
  const r = stream('redact', ['a CANARY b CANARY c']);
  assert.equal(r.text, 'a [REDACTED] b [REDACTED] c');
  assert.equal(r.leaks.length, 2, 'one finding per occurrence');
  const f = stream('flag', ['a CANARY b ', 'CANARY c']);
  assert.equal(f.text, `a ${f.canary} b ${f.canary} c`, 'flag passes the text');
  assert.deepEqual(f.leaks.map((l) => l.action), ['flag', 'flag']);
});

test('stop ends the stream at the first occurrence and records that one', () => {
  const r = stream('stop', ['a CANARY b CANARY c']);
  assert.equal(r.stop?.message, 'the answer leaks the system prompt');
  assert.equal(r.text, 'a ');
  assert.equal(r.leaks.length, 1);
});

test('a canary ending in digits is not split by the number-group hold: no head of it is released', () => {
  // Its core ends in a digit group before a space: the hold for a possible card number used to start
  // inside the canary, so `wdn-cnry-…ceeed` went out and only the digits were redacted in the next part.
  const canary = `wdn-cnry-85c8023a7ce5a8ceeed${'01234'}`;
  const g = createGuard({ output: { canaryLeak: 'redact' }, dlp: { enabled: false } }, { detectInjection: quiet });
  const inspector = g.createOutputInspector({ route: g.routeOptions(), canaries: [canary] });
  let text = inspector.push(`first ${canary} `).text;
  text += inspector.push('and again').text;
  text += inspector.end().text;
  assert.equal(text, 'first [REDACTED] and again', 'the whole canary is redacted');
  assert.ok(!text.includes('wdn-cnry'), 'no part of the canary reaches the client');
});
