#!/usr/bin/env node
// Runs every *.test.ts under test/ with Node's test runner (Node 20 has no glob support in --test).
// Extra arguments narrow the run: `npm test -- test/policy` runs only the files under that path.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const files = (roots.length ? roots : ['test']).flatMap((r) => collect(r, [])).map((f) => relative('.', f));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...flags, ...files],
  { stdio: 'inherit', env: { ...process.env, WARDEN_LOG_LEVEL: process.env.WARDEN_LOG_LEVEL ?? 'silent' } },
);
process.exit(result.status ?? 1);
