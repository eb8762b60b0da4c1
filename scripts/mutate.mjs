#!/usr/bin/env node
// `npm run mutate [-- MODULE...] [--concurrency N] [--incremental]`: runs StrykerJS over the
// security-critical modules (scripts/mutate-modules.mjs), one module at a time, and prints each
// module's mutation score. Reports land in reports/mutation/MODULE.{html,json}.
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { MUTATE_MODULES } from './mutate-modules.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { concurrency: { type: 'string', default: '1' }, incremental: { type: 'boolean', default: false } },
});
const names = positionals.length ? positionals : Object.keys(MUTATE_MODULES);
const unknown = names.filter((n) => !(n in MUTATE_MODULES));
if (unknown.length) {
  console.error(`unknown module ${unknown.join(', ')}: pick from ${Object.keys(MUTATE_MODULES).join(', ')}`);
  process.exit(2);
}
if (!/^[1-9]\d*$/.test(values.concurrency)) {
  console.error('--concurrency must be a positive integer');
  process.exit(2);
}

// Stryker runs the tests in a copy of the project under .stryker-tmp/sandbox-*; tests that read
// ../shared (the data beside the project) look for .stryker-tmp/shared, so point it at the real one.
function linkShared() {
  const shared = join('..', 'shared');
  const link = join('.stryker-tmp', 'shared');
  if (!existsSync(shared) || existsSync(link)) return;
  mkdirSync('.stryker-tmp', { recursive: true });
  symlinkSync(realpathSync(shared), link);
}

// Stryker's own definition: detected (killed + timed out) over valid mutants (not compile errors, not ignored).
function summary(name) {
  const report = JSON.parse(readFileSync(join('reports', 'mutation', `${name}.json`), 'utf8'));
  const count = {};
  for (const file of Object.values(report.files)) for (const m of file.mutants) count[m.status] = (count[m.status] ?? 0) + 1;
  const n = (s) => count[s] ?? 0;
  const valid = n('Killed') + n('Timeout') + n('Survived') + n('NoCoverage');
  const score = valid ? (100 * (n('Killed') + n('Timeout'))) / valid : 100;
  return { name, score: score.toFixed(2), killed: n('Killed'), timeout: n('Timeout'), survived: n('Survived'), noCoverage: n('NoCoverage'), errors: n('RuntimeError') + n('CompileError') };
}

// Stopping this script (SIGINT, SIGTERM) stops Stryker too, so it can clean its sandbox and workers.
let current;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => current?.kill('SIGINT'));

function stryker(name) {
  return new Promise((resolve) => {
    current = spawn(process.execPath, [join('node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', 'stryker.config.mjs'], {
      stdio: 'inherit',
      env: {
        ...process.env,
        WARDEN_MUTATE_MODULE: name,
        WARDEN_MUTATE_CONCURRENCY: values.concurrency,
        WARDEN_MUTATE_INCREMENTAL: values.incremental ? '1' : '0',
        WARDEN_LOG_LEVEL: process.env.WARDEN_LOG_LEVEL ?? 'silent',
      },
    });
    current.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

// --incremental re-tests only the mutants whose code or covering tests changed since the last run;
// the last run's JSON report is the same document as Stryker's incremental file, so it seeds one.
function seedIncremental(name) {
  const report = join('reports', 'mutation', `${name}.json`);
  const incremental = join('reports', 'mutation', `${name}.incremental.json`);
  if (values.incremental && !existsSync(incremental) && existsSync(report)) copyFileSync(report, incremental);
}

const results = [];
let failed = false;
for (const name of names) {
  linkShared();
  seedIncremental(name);
  console.log(`\n== mutate ${name}`);
  const status = await stryker(name);
  if (status !== 0) {
    console.error(`stryker failed on ${name} (exit ${status})`);
    failed = true;
    break;
  }
  results.push(summary(name));
}
rmSync(join('.stryker-tmp', 'shared'), { force: true });
console.log('\nmodule            score  killed timeout survived no-coverage errors');
for (const r of results) {
  console.log(`${r.name.padEnd(17)} ${r.score.padStart(6)} ${String(r.killed).padStart(7)} ${String(r.timeout).padStart(7)} ${String(r.survived).padStart(8)} ${String(r.noCoverage).padStart(11)} ${String(r.errors).padStart(6)}`);
}
process.exit(failed ? 1 : 0);
