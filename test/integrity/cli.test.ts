import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/run.js';
import { PgIntegrityRepository } from '../../src/integrity/index.js';
import { freshSchema } from '../helpers/postgres.js';
import { ecKeys, tempDir } from './helpers.js';

let tmp: { dir: string; cleanup: () => void };

before(() => {
  tmp = tempDir('warden-cli-');
  const keys = ecKeys('P-384');
  writeFileSync(join(tmp.dir, 'key.pem'), keys.privatePem);
  writeFileSync(join(tmp.dir, 'pub.pem'), keys.publicPem);
  writeFileSync(join(tmp.dir, 'other.pem'), ecKeys('P-384').publicPem);
  mkdirSync(join(tmp.dir, 'model'));
  writeFileSync(join(tmp.dir, 'model', 'weights.bin'), Buffer.alloc(100_000, 3));
  writeFileSync(join(tmp.dir, 'model', 'config.json'), '{}');
  mkdirSync(join(tmp.dir, 'data'));
  writeFileSync(join(tmp.dir, 'data', 'train.csv'), 'a\n');
});
after(() => tmp.cleanup());

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWith({ WARDEN_DATA_DIR: join(tmp.dir, 'state') }, ...argv);
}

async function cliWith(env: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await runCli(argv, { stdout, stderr, env, cwd: tmp.dir });
  return { code, out, err };
}

test('warden sign / verify: exit codes tell the verdict and changed files are named', async () => {
  const signed = await cli('sign', 'model', '--key', 'key.pem', '--json');
  assert.equal(signed.code, 0, signed.err);
  assert.equal(JSON.parse(signed.out).files, 2);
  assert.equal((await cli('verify', 'model', '--key', 'pub.pem')).code, 0);
  const wrong = await cli('verify', 'model', '--key', 'other.pem');
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /different key/);
  appendFileSync(join(tmp.dir, 'model', 'config.json'), ' ');
  const changed = await cli('verify', 'model', '--key', 'pub.pem');
  assert.equal(changed.code, 1);
  assert.match(changed.err, /modified config\.json/);
  assert.equal((await cli('sign', 'model')).code, 2);
  const missing = await cli('sign', 'nope', '--key', 'key.pem');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /cannot read/);
});

test('warden assets / changes / lineage through the store', async () => {
  assert.equal((await cli('assets', 'add', '--kind', 'dataset', '--path', 'data', '--owner', 'data-team', '--id', 'train')).code, 0);
  assert.equal((await cli('assets', 'add', '--kind', 'model', '--path', 'model', '--owner', 'ml', '--id', 'clf', '--sensitivity', 'restricted')).code, 0);
  const dup = await cli('assets', 'add', '--kind', 'model', '--path', 'model', '--owner', 'ml', '--id', 'clf');
  assert.equal(dup.code, 1);
  assert.match(dup.err, /already exists/);
  const list = JSON.parse((await cli('assets', 'list', '--json')).out);
  assert.deepEqual(list.assets.map((a: { id: string }) => a.id), ['clf', 'train']);
  assert.equal((await cli('lineage', 'add', '--from', 'train', '--to', 'clf', '--run', 'run-7', '--actor', 'alice')).code, 0);
  const shown = await cli('lineage', 'show', 'clf');
  assert.match(shown.out, /train -> \[run run-7\] -> clf/);
  const req = JSON.parse((await cli('changes', 'request', '--asset', 'train', '--reason', 'relabel', '--actor', 'alice', '--json')).out);
  const self = await cli('changes', 'approve', req.change.id, '--actor', 'alice', '--role', 'admin');
  assert.equal(self.code, 1);
  assert.match(self.err, /two-person rule/);
  appendFileSync(join(tmp.dir, 'data', 'train.csv'), 'b\n');
  const ok = await cli('changes', 'approve', req.change.id, '--actor', 'bob', '--role', 'asset-approver');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /asset check: accepted/);
  const changes = JSON.parse((await cli('changes', 'list', '--json')).out);
  assert.equal(changes.changes[0].status, 'applied');
  appendFileSync(join(tmp.dir, 'data', 'train.csv'), 'c\n');
  const show = await cli('assets', 'show', 'train', '--verify');
  assert.match(show.out, /status +tampered/);
  const model = JSON.parse((await cli('assets', 'show', 'clf', '--json')).out);
  assert.equal(model.asset.suspect, true);
});

test('with a database URL the commands work on the cluster registry and create no local database', async () => {
  const fresh = await freshSchema('cli_integrity');
  try {
    const env = { WARDEN_DATA_DIR: join(tmp.dir, 'cluster-state'), WARDEN_DATABASE_URL: fresh.url };
    mkdirSync(join(tmp.dir, 'cluster-data'));
    writeFileSync(join(tmp.dir, 'cluster-data', 'rows.csv'), 'a\n');
    const added = await cliWith(env, 'assets', 'add', '--kind', 'dataset', '--path', 'cluster-data', '--owner', 'data-team', '--id', 'shared');
    assert.equal(added.code, 0, added.err);
    const req = JSON.parse((await cliWith(env, 'changes', 'request', '--asset', 'shared', '--reason', 'append', '--actor', 'alice', '--json')).out);
    const self = await cliWith(env, 'changes', 'approve', req.change.id, '--actor', 'alice', '--role', 'admin');
    assert.match(self.err, /two-person rule/);
    assert.equal((await cliWith(env, 'changes', 'approve', req.change.id, '--actor', 'bob', '--role', 'admin')).code, 0);
    const repo = await PgIntegrityRepository.open(fresh.pool);
    assert.deepEqual((await repo.listAssets()).map((a) => a.id), ['shared']);
    assert.equal((await repo.getChange(req.change.id))?.decidedBy, 'bob');
    assert.equal(existsSync(join(tmp.dir, 'cluster-state', 'warden.db')), false);
  } finally {
    await fresh.close();
  }
});

test('warden scan in a real process: exit code by worst verdict, --json output', () => {
  const safe = join(tmp.dir, 'ok.safetensors');
  const header = Buffer.from(JSON.stringify({ a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(safe, Buffer.concat([len, header, Buffer.alloc(4)]));
  // Protocol 2 pickle: GLOBAL posix.system, REDUCE.
  writeFileSync(join(tmp.dir, 'evil.pkl'), Buffer.from('\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.', 'latin1'));
  const main = resolve('src/cli/main.ts');
  const run = (target: string) => spawnSync(process.execPath, ['--import', 'tsx', main, 'scan', target, '--json'], { encoding: 'utf8', cwd: resolve('.'), timeout: 60_000 });
  const ok = run(safe);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).verdict, 'safe');
  const bad = run(join(tmp.dir, 'evil.pkl'));
  assert.equal(bad.status, 4);
  assert.equal(JSON.parse(bad.stdout).files[0].findings[0].details.module, 'posix');
});
