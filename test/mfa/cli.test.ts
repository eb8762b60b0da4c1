/** `warden mfa ...` in-process against a real data directory: enrol TOTP, issue a link, approve a step-up. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { mfaApproveCommand, mfaEnrolLinkCommand, mfaTotpEnrolCommand } from '../../src/cli/commands/mfa.js';
import type { Command } from '../../src/cli/command.js';
import { SqliteMfaRepository } from '../../src/mfa/store/sqlite.js';
import { base32Decode, totpCode } from '../../src/mfa/totp.js';
import { openDatabase } from '../../src/store/database.js';
import { tempDir } from '../helpers/warden-process.js';

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(command: Command, args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((out += chunk.toString()), done()) });
  const code = await command.run([...args, '--data-dir', dir], { stdout: sink, stderr: sink, env: { WARDEN_AUDIT_KEK: '' }, cwd: dir });
  return { code, out };
}

test('enrol TOTP from the CLI, then approve a pending step-up with a code: the API key is elevated', async () => {
  const enrol = await run(mfaTotpEnrolCommand, ['--principal', 'alice']);
  assert.equal(enrol.code, 0, enrol.out);
  const secret = /secret: ([A-Z2-7]+)/.exec(enrol.out)![1]!;
  const factorId = /factor (f-[\w-]+)/.exec(enrol.out)![1]!;
  const seed = base32Decode(secret);
  const confirm = await run(mfaTotpEnrolCommand, ['--principal', 'alice', '--confirm', factorId, '--code', totpCode(seed, Date.now())]);
  assert.equal(confirm.code, 0, confirm.out);
  assert.match(confirm.out, /recovery codes/);

  const db = openDatabase(dir);
  const repo = new SqliteMfaRepository(db);
  const now = Date.now();
  await repo.addChallenge({ id: 'decision-1', principal: 'alice', principalKind: 'User', apiKeyId: 'key-1', createdAt: new Date(now).toISOString(), expiresAt: new Date(now + 60_000).toISOString(), completedAt: null, amr: [], redeemedAt: null, secretHash: null });
  await assert.rejects(run(mfaApproveCommand, ['decision-1', '--code', totpCode(seed, now)]), { code: 'mfa_verification_failed' }, 'the confirming code is spent');
  const approved = await run(mfaApproveCommand, ['decision-1', '--code', totpCode(seed, now + 30_000)]);
  assert.equal(approved.code, 0, approved.out);
  assert.match(approved.out, /elevated until/);
  assert.deepEqual((await repo.activeElevations(new Date().toISOString())).map((e) => e.apiKeyId), ['key-1']);
  db.close();
});

test('an enrolment link from the CLI names the public URL and a one-time secret', async () => {
  const link = await run(mfaEnrolLinkCommand, ['--principal', 'bob', '--url', 'https://warden.example.com/']);
  assert.equal(link.code, 0);
  assert.match(link.out, /https:\/\/warden\.example\.com\/auth\/enrol\/[A-Za-z0-9_-]{32}\n/);
  await assert.rejects(run(mfaEnrolLinkCommand, ['--principal', 'bob', '--ttl', '5']), /--ttl/);
});
