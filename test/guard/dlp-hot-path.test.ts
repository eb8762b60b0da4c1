/**
 * The PERSON/ADDRESS tagger is off on the request path unless a route turns it on (`guard.dlp.bestEffort`): it
 * costs about twice the rest of the DLP scan (docs/dlp.md, "Speed"), and its findings are never acted on by default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, type InjectionDetector } from '../../src/guard/index.js';

const quiet: InjectionDetector = () => ({ score: 0, flagged: false, reasons: [] });
const body = { model: 'm', messages: [{ role: 'user', content: 'Ship to Maria Lopez, 12 Calle Mayor, 28013 Madrid, Spain. Mail maria@example.org.' }] };
const types = (findings: { type: string }[]): string[] => [...new Set(findings.map((f) => f.type))].sort();

test('request DLP: by default the tagger does not run (no PERSON/ADDRESS), the other detectors do', () => {
  const guard = createGuard({}, { detectInjection: quiet });
  const r = guard.inspectRequest(body, guard.routeOptions('chat'));
  assert.deepEqual(types(r.findings), ['EMAIL']);
});

test('request DLP: dlp.bestEffort: true turns the tagger on', () => {
  const guard = createGuard({ dlp: { bestEffort: true } }, { detectInjection: quiet });
  const r = guard.inspectRequest(body, guard.routeOptions('chat'));
  const found = types(r.findings);
  assert.ok(found.includes('EMAIL') && (found.includes('PERSON') || found.includes('ADDRESS')), found.join());
});
