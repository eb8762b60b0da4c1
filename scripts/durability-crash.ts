/**
 * The long crash check for acknowledged decisions: `npm run crash:durability [-- RUNS [ANSWERED_PER_RUN]]`.
 * Prints the figures per round and exits non-zero if any fully answered request was lost.
 */
import { crashRounds } from '../test/durability/crash-load.js';

const runs = Number(process.argv[2] ?? 20);
const answeredPerRun = Number(process.argv[3] ?? 1000);
const started = Date.now();
const figures = await crashRounds({
  runs,
  concurrency: 16,
  answeredPerRun,
  onRound: (round, f) => console.log(`round ${round + 1}/${runs}: answered ${f.answered}, lost from audit log ${f.lostFromAudit}, lost from decision table ${f.lostFromTable} (${Math.round((Date.now() - started) / 1000)} s)`),
});
console.log(JSON.stringify({ runs: figures.runs, answered: figures.answered, acknowledgedButLost: { auditLog: figures.lostFromAudit, decisionTable: figures.lostFromTable } }));
if (figures.lostFromAudit || figures.lostFromTable) {
  console.error(`lost: ${figures.missing.join(', ')}`);
  process.exit(1);
}
