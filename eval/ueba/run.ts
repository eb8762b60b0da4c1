/**
 * `npm run eval:ueba`: Warden on real auth logs (`../shared/data/ueba/*.log`, loghub's OpenSSH and
 * Linux samples; no labels). The expectation is derived from the raw text by the rules in
 * `analyst.ts`; the evaluation checks that Warden flags every expected source and ranks them ahead of
 * the rest, with at most a handful (5) of other sources flagged. It also reports each connector's
 * coverage (lines turned into events vs counted by reason) and the importer's speed.
 *
 * Usage: npm run eval:ueba -- [--dir ../shared/data/ueba] [--json]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRiskEngine, openMemoryDatabase, parseLog, rankSources, type DetectionRecord } from '../../src/risk/index.js';
import { analyse } from './analyst.js';

const { values } = parseArgs({ options: { dir: { type: 'string', default: resolve(import.meta.dirname, '../../../shared/data/ueba') }, json: { type: 'boolean', default: false } } });
if (!existsSync(values.dir)) {
  process.stdout.write(`skipped: ${values.dir} is absent (the shared data is not on this machine)\n`);
  process.exit(0);
}
const HANDFUL = 5;
const files = readdirSync(values.dir).filter((f) => f.endsWith('.log')).sort();
const report: Record<string, unknown>[] = [];
let ok = true;
const out: string[] = [];
for (const file of files) {
  const text = readFileSync(join(values.dir, file), 'utf8');
  const t0 = performance.now();
  const parsed = parseLog(text, 'syslog', { year: 2026 });
  const parseMs = performance.now() - t0;
  const engine = createRiskEngine({ db: openMemoryDatabase(), config: { persistIntervalSeconds: 0 }, geo: null, clock: () => 0 });
  const detections: DetectionRecord[] = [];
  for (const e of parsed.events) detections.push(...engine.process(e));
  engine.close();
  const ranked = rankSources(detections);
  const expected = analyse(text);
  const expectedSources = new Set(expected.map((e) => e.source));
  const rankOf = new Map(ranked.map((r, i) => [r.source, i + 1]));
  const missed = [...expectedSources].filter((s) => !rankOf.has(s) && !s.startsWith('(account'));
  const others = ranked.filter((r) => !expectedSources.has(r.source));
  const worstExpected = Math.max(0, ...[...expectedSources].map((s) => rankOf.get(s) ?? 0));
  const firstOther = others.length ? rankOf.get(others[0]!.source)! : Infinity;
  const pass = missed.length === 0 && others.length <= HANDFUL && worstExpected < firstOther;
  ok &&= pass;
  report.push({ file, lines: parsed.records, converted: parsed.converted, events: parsed.events.length, skipped: parsed.skippedByReason, malformed: parsed.malformedByReason, linesPerSecond: Math.round(parsed.records / (parseMs / 1000)), expected, ranked: ranked.slice(0, 40), missed, others: others.map((o) => o.source), pass });
  out.push(`## ${file}\n`);
  out.push(`- lines ${parsed.records}: ${parsed.converted} became ${parsed.events.length} events, ${parsed.skipped} counted by reason, ${parsed.errorCount} malformed (${Math.round(parsed.records / (parseMs / 1000))} lines/s, one cold pass)`);
  out.push(`- counted by reason: ${Object.entries(parsed.skippedByReason).map(([k, v]) => `${k} ${v}`).join('; ')}`);
  if (parsed.errorCount) out.push(`- malformed: ${Object.entries(parsed.malformedByReason).map(([k, v]) => `${k} ${v}`).join('; ')}`);
  out.push(`\nexpected (analyst rules on the raw text): ${expectedSources.size} sources\n`);
  out.push('| rule | source | evidence | Warden rank |\n|---|---|---|---|');
  for (const e of expected) out.push(`| ${e.rule} | ${e.source} | ${e.evidence} | ${rankOf.get(e.source) ?? 'not flagged'} |`);
  out.push(`\nflagged by Warden: ${ranked.length} sources (top 15)\n`);
  out.push('| rank | source | score | detectors | expected |\n|---|---|---|---|---|');
  ranked.slice(0, 15).forEach((r, i) => out.push(`| ${i + 1} | ${r.source} | ${r.score} | ${Object.keys(r.detectors).map((d) => d.replace('risk.', '')).join(', ')} | ${expectedSources.has(r.source) ? 'yes' : 'no'} |`));
  out.push(`\n- missed: ${missed.length ? missed.join(', ') : 'none'}; other sources flagged: ${others.length} (at most ${HANDFUL}); every expected source ranks above every other: ${worstExpected < firstOther ? 'yes' : 'no'} -> ${pass ? 'PASS' : 'FAIL'}\n`);
}
if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
else process.stdout.write(out.join('\n') + '\n');
process.exitCode = ok ? 0 : 1;
