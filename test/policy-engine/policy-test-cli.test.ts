/**
 * `warden policy test`: the hand-written fixtures (Cedar integration-test JSON and the cedar-examples
 * layout), failures and exit codes, and, when ../shared/data is present, the Cedar corpus with both
 * engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { policyTestCommand } from '../../src/cli/commands/policy-test.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(import.meta.dirname, 'fixtures');
const SHARED = join(ROOT, '..', 'shared', 'data', 'cedar');

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function policyTest(args: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await policyTestCommand.run(args, { stdout, stderr, env: {}, cwd });
  return { code, out: stdout.text, err: stderr.text };
}

const lastLine = (s: string): string => s.trimEnd().split('\n').at(-1) ?? '';

for (const engine of ['compiled', 'wasm']) {
  test(`${engine}: the hand-written cases pass`, async () => {
    const r = await policyTest([FIXTURES, '--root', FIXTURES, '--engine', engine]);
    assert.equal(lastLine(r.out), '12 passed, 0 failed', r.out + r.err);
    assert.equal(r.code, 0);
  });
}

test('a wrong expectation is printed and fails the run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-policy-test-'));
  try {
    cpSync(FIXTURES, dir, { recursive: true });
    const file = join(dir, 'cases', 'static.json');
    const c = JSON.parse(readFileSync(file, 'utf8')) as { requests: { decision: string }[] };
    (c.requests[0] as { decision: string }).decision = 'deny';
    writeFileSync(file, JSON.stringify(c));
    writeFileSync(join(dir, 'cases', 'notes.json'), '{"not": "a case"}');
    writeFileSync(join(dir, 'cases', 'README.md'), 'ignored');
    const r = await policyTest([join(dir, 'cases'), '--root', dir]);
    assert.equal(r.code, 1);
    assert.match(r.out, /FAIL .*static\.json #0 alice reads .*decision allow, expected deny/);
    assert.equal(lastLine(r.out), '6 passed, 1 failed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2 through the real command line', () => {
  const run = (args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'policy', 'test', ...args], { cwd: ROOT, encoding: 'utf8' });
  const bad = run(['--engine', 'fast', FIXTURES]);
  assert.equal(bad.status, 2, String(bad.stderr));
  assert.match(String(bad.stderr), /--engine must be one of/);
  const ok = run([join(FIXTURES, 'example'), '--engine', 'wasm']);
  assert.equal(ok.status, 0, String(ok.stdout) + String(ok.stderr));
  assert.equal(lastLine(String(ok.stdout)), '5 passed, 0 failed');
});

test('a run that found no case fails: an empty directory, or one without cases', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-policy-test-empty-'));
  try {
    const empty = await policyTest([dir]);
    assert.equal(empty.code, 1);
    assert.match(empty.err, /found no test cases/);
    assert.equal(lastLine(empty.out), '0 passed, 1 failed');
    writeFileSync(join(dir, 'notes.json'), '{"not": "a case"}');
    const noCases = await policyTest([dir]);
    assert.equal(noCases.code, 1);
    assert.match(noCases.err, /found no test cases/);
    // a case with no request and no validation check checks nothing either
    writeFileSync(join(dir, 'hollow.json'), JSON.stringify({ policies: 'p.cedar', entities: 'e.json', requests: [] }));
    writeFileSync(join(dir, 'p.cedar'), 'permit (principal, action, resource);');
    writeFileSync(join(dir, 'e.json'), '[]');
    const hollow = await policyTest([dir, '--root', dir]);
    assert.equal(hollow.code, 1);
    assert.match(hollow.err, /no requests and no validation check/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('case files are read as Cedar reads them: a misspelt field or a duplicate key is an error, not ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-policy-test-strict-'));
  try {
    writeFileSync(join(dir, 'p.cedar'), 'permit (principal, action, resource);');
    writeFileSync(join(dir, 'e.json'), '[]');
    const request = { description: 'r', principal: { type: 'U', id: 'a' }, action: { type: 'A', id: 'x' }, resource: { type: 'R', id: 'r' }, context: {}, decision: 'allow', reason: ['policy0'], errors: [] };
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ policies: 'p.cedar', entities: 'e.json', requests: [{ ...request, validateRequests: false }] }));
    const typo = await policyTest([join(dir, 'typo.json'), '--root', dir]);
    assert.equal(typo.code, 1);
    assert.match(typo.err, /validateRequests/);
    writeFileSync(join(dir, 'dup.json'), JSON.stringify({ policies: 'p.cedar', entities: 'e.json', requests: [request] }).replace('"decision":"allow"', '"decision":"deny","decision":"allow"'));
    const dup = await policyTest([join(dir, 'dup.json'), '--root', dir]);
    assert.equal(dup.code, 1);
    assert.match(dup.err, /duplicate key "decision"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a named file that is not a case is an error', async () => {
  const r = await policyTest([join(FIXTURES, 'entities.json')]);
  assert.equal(r.code, 1);
  assert.match(r.err, /not a test case/);
});

const sharedMissing = existsSync(SHARED) ? false : `skipped: ${SHARED} is absent (the Cedar corpus lives beside the project)`;

for (const engine of ['compiled', 'wasm']) {
  test(`${engine}: the Cedar integration tests and example use cases pass`, { skip: sharedMissing }, async () => {
    const integration = await policyTest([join(SHARED, 'integration'), '--root', join(SHARED, 'integration'), '--engine', engine]);
    assert.equal(integration.code, 0, integration.out);
    // exact counts: a run that silently skipped cases (or found none) must not pass
    assert.equal(lastLine(integration.out), '96 passed, 0 failed');
    assert.equal(integration.err, '', 'the compiled engine must not fall back');
    const examples = await policyTest([join(SHARED, 'examples'), '--engine', engine]);
    assert.equal(examples.code, 0, examples.out);
    assert.equal(lastLine(examples.out), '55 passed, 0 failed');
    assert.equal(examples.err, '');
  });
}
