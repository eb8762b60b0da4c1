/**
 * The real auth logs of ../shared/data/ueba (loghub): every line accounted for, and the sources an
 * analyst would flag (rules in eval/ueba/analyst.ts, applied to the raw text) are the ones Warden ranks
 * first. Skipped when the shared data is absent; the hand-written fixtures test the same features.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyse } from '../../eval/ueba/analyst.js';
import { createRiskEngine, openMemoryDatabase, parseLog, rankSources, type DetectionRecord } from '../../src/risk/index.js';

const DIR = fileURLToPath(new URL('../../../shared/data/ueba/', import.meta.url));
const present = existsSync(DIR);

for (const file of ['loghub-openssh-2k.log', 'loghub-linux-2k.log']) {
  test(`real log ${file}: every line accounted for; the analyst's sources ranked first`, { skip: present ? false : `${DIR} is absent (shared data not on this machine)` }, () => {
    const text = readFileSync(DIR + file, 'utf8');
    const r = parseLog(text, 'syslog', { year: 2026 });
    assert.equal(r.records, 2000);
    assert.equal(r.records, r.converted + r.skipped + r.errorCount);
    assert.ok(r.skippedByReason['sshd: message not recognised'] === undefined, 'every sshd message kind in the file is known');
    const engine = createRiskEngine({ db: openMemoryDatabase(), config: { persistIntervalSeconds: 0 }, geo: null, clock: () => 0 });
    const detections: DetectionRecord[] = [];
    for (const e of r.events) detections.push(...engine.process(e));
    engine.close();
    const expected = new Set(analyse(text).map((e) => e.source));
    assert.ok(expected.size >= 5);
    const ranked = rankSources(detections).map((s) => s.source);
    assert.deepEqual(new Set(ranked.slice(0, expected.size)), expected);
    assert.ok(ranked.length - expected.size <= 5, `at most a handful of other sources: ${ranked.length - expected.size}`);
  });
}
