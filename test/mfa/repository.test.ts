/** One conformance suite for the step-up repository, run against SQLite and a real PostgreSQL. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { PostgresMfaRepository } from '../../src/mfa/store/postgres.js';
import { SqliteMfaRepository } from '../../src/mfa/store/sqlite.js';
import type { CeremonyKind, CeremonyRecord, FactorRecord, MfaRepository } from '../../src/mfa/store/types.js';
import { openDatabase } from '../../src/store/database.js';
import { freshSchema } from '../helpers/postgres.js';
import { tempDir } from '../helpers/warden-process.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';
const T2 = '2026-01-01T00:10:00.000Z';
const T0_30 = '2026-01-01T00:00:30.000Z';
const T1_30 = '2026-01-01T00:01:30.000Z';

const totp = (id: string, principal = 'alice'): FactorRecord => ({ id, principal, kind: 'totp', label: 'phone', createdAt: T0, confirmedAt: null, secret: { kekId: 'k1', sealed: Buffer.from([1, 2, 3]) }, lastStep: null });

const ceremony = (id: string, principal = 'alice', createdAt = T0, expiresAt = T2, kind: CeremonyKind = 'authentication'): CeremonyRecord => ({ id, principal, kind, challenge: `challenge-${id}`, createdAt, expiresAt });

function conformance(name: string, open: () => Promise<{ repo: MfaRepository; close(): Promise<void> }>): void {
  describe(name, () => {
    let repo: MfaRepository;
    let close: () => Promise<void>;
    test('opens', async () => {
      ({ repo, close } = await open());
    });
    after(async () => close?.());

    test('factors: add, list, confirm once, delete; the sealed secret round-trips', async () => {
      await repo.addFactor(totp('f1'));
      await repo.addFactor({ id: 'f2', principal: 'alice', kind: 'webauthn', label: 'key', createdAt: T1, confirmedAt: T1, webauthn: { credentialId: 'cred-1', publicKey: Buffer.from([9, 9]), counter: 0, transports: ['usb'] } });
      const listed = await repo.listFactors('alice');
      assert.deepEqual(listed.map((f) => f.id), ['f1', 'f2']);
      assert.deepEqual(listed[0]!.secret, { kekId: 'k1', sealed: Buffer.from([1, 2, 3]) });
      assert.deepEqual((await repo.findWebauthnFactor('cred-1'))?.webauthn, { credentialId: 'cred-1', publicKey: Buffer.from([9, 9]), counter: 0, transports: ['usb'] });
      assert.equal(await repo.confirmFactor('f1', T1), true);
      assert.equal(await repo.confirmFactor('f1', T2), false);
      assert.equal((await repo.getFactor('f1'))?.confirmedAt, T1);
      assert.deepEqual(await repo.listFactors('bob'), []);
    });

    test('a TOTP step is used once and never an earlier one', async () => {
      assert.equal(await repo.useTotpStep('f1', 100), true);
      assert.equal(await repo.useTotpStep('f1', 100), false);
      assert.equal(await repo.useTotpStep('f1', 99), false);
      assert.equal(await repo.useTotpStep('f1', 101), true);
      assert.equal(await repo.useTotpStep('f2', 500), false, 'not a TOTP factor');
    });

    test('a WebAuthn counter must grow (zero stays allowed for counterless authenticators)', async () => {
      assert.equal(await repo.useWebauthnCounter('f2', 0), true);
      assert.equal(await repo.useWebauthnCounter('f2', 5), true);
      assert.equal(await repo.useWebauthnCounter('f2', 5), false);
      assert.equal(await repo.useWebauthnCounter('f2', 0), false);
    });

    test('recovery codes: each used once, replaced as a set', async () => {
      await repo.setRecoveryCodes('alice', ['h1', 'h2'], T0);
      assert.equal(await repo.countRecoveryCodes('alice'), 2);
      assert.equal(await repo.useRecoveryCode('alice', 'h1', T1), true);
      assert.equal(await repo.useRecoveryCode('alice', 'h1', T1), false);
      assert.equal(await repo.useRecoveryCode('bob', 'h2', T1), false, 'another principal cannot use it');
      await repo.setRecoveryCodes('alice', ['h3'], T2);
      assert.equal(await repo.useRecoveryCode('alice', 'h2', T2), false, 'the old set is gone');
      assert.equal(await repo.countRecoveryCodes('alice'), 1);
    });

    test('an enrolment link is used once and not after it expires', async () => {
      await repo.addEnrolLink({ hash: 'l1', principal: 'alice', createdBy: 'carol', createdAt: T0, expiresAt: T2, usedAt: null });
      await repo.addEnrolLink({ hash: 'l2', principal: 'bob', createdBy: 'carol', createdAt: T0, expiresAt: T1, usedAt: null });
      assert.equal(await repo.useEnrolLink('l1', T1), 'alice');
      assert.equal(await repo.useEnrolLink('l1', T1), undefined);
      assert.equal(await repo.useEnrolLink('l2', T2), undefined);
      assert.equal(await repo.useEnrolLink('nope', T0), undefined);
    });

    test('a challenge completes once before expiry and redeems once after completion', async () => {
      await repo.addChallenge({ id: 'd1', principal: 'alice', principalKind: 'User', apiKeyId: 'k1', createdAt: T0, expiresAt: T1, completedAt: null, amr: [], redeemedAt: null, secretHash: 'ab'.repeat(32) });
      assert.equal((await repo.getChallenge('d1'))?.secretHash, 'ab'.repeat(32));
      assert.equal(await repo.redeemChallenge('d1', T0), false, 'not completed yet');
      assert.equal(await repo.completeChallenge('d1', ['otp'], T2), false, 'expired');
      assert.equal(await repo.completeChallenge('d1', ['otp'], T0), true);
      assert.equal(await repo.completeChallenge('d1', ['hwk'], T0), false);
      assert.deepEqual((await repo.getChallenge('d1'))?.amr, ['otp']);
      assert.equal(await repo.redeemChallenge('d1', T0), true);
      assert.equal(await repo.redeemChallenge('d1', T0), false);
      assert.equal(await repo.getChallenge('nope'), undefined);
    });

    test('a WebAuthn ceremony is taken once, only by its principal and kind, only before it expires', async () => {
      await repo.addCeremony(ceremony('c1'), 5);
      assert.equal(await repo.takeCeremony('c1', 'bob', 'authentication', T1), undefined, 'another principal');
      assert.equal(await repo.takeCeremony('c1', 'alice', 'registration', T1), undefined, 'another kind');
      assert.deepEqual(await repo.takeCeremony('c1', 'alice', 'authentication', T1), ceremony('c1'), 'neither wrong take used it up');
      assert.equal(await repo.takeCeremony('c1', 'alice', 'authentication', T1), undefined, 'a second take');
      await repo.addCeremony(ceremony('c2', 'alice', T0, T1, 'registration'), 5);
      assert.equal(await repo.takeCeremony('c2', 'alice', 'registration', T1), undefined, 'expired');
      assert.equal(await repo.takeCeremony('nope', 'alice', 'authentication', T0), undefined);
    });

    test('of two concurrent takes of a ceremony, one succeeds', async () => {
      await repo.addCeremony(ceremony('race'), 5);
      const taken = await Promise.all([repo.takeCeremony('race', 'alice', 'authentication', T1), repo.takeCeremony('race', 'alice', 'authentication', T1)]);
      assert.equal(taken.filter(Boolean).length, 1);
    });

    test('expired ceremonies are purged before the per-principal bound drops the oldest', async () => {
      // e1 is newer than e2 but expires first: once it is purged, e2 is not the one the bound drops.
      await repo.addCeremony(ceremony('e2', 'erin', T0, T2), 2);
      await repo.addCeremony(ceremony('e1', 'erin', T0_30, T1), 2);
      await repo.addCeremony(ceremony('e3', 'erin', T1, T2), 2);
      assert.ok(await repo.takeCeremony('e2', 'erin', 'authentication', T1));
      assert.ok(await repo.takeCeremony('e3', 'erin', 'authentication', T1));
    });

    test('a principal keeps at most the bound of pending ceremonies, the newest, the one just started always', async () => {
      for (const id of ['f1', 'f2', 'f3']) await repo.addCeremony(ceremony(id, 'frank', id === 'f1' ? T0 : id === 'f2' ? T0_30 : T1), 2);
      await repo.addCeremony(ceremony('g1', 'grace'), 2);
      assert.equal(await repo.takeCeremony('f1', 'frank', 'authentication', T1), undefined, 'the oldest was dropped');
      assert.ok(await repo.takeCeremony('f2', 'frank', 'authentication', T1));
      assert.ok(await repo.takeCeremony('f3', 'frank', 'authentication', T1));
      assert.ok(await repo.takeCeremony('g1', 'grace', 'authentication', T1), "another principal's are not counted");
      // Started within one millisecond: the newest by id would be 'hc', yet 'ha', just started, is kept.
      for (const id of ['hc', 'hb', 'ha']) await repo.addCeremony(ceremony(id, 'heidi', T1_30), 2);
      assert.ok(await repo.takeCeremony('ha', 'heidi', 'authentication', T1_30));
    });

    test('concurrent starts keep to the bound', async () => {
      await Promise.all(['i1', 'i2', 'i3', 'i4', 'i5', 'i6'].map((id) => repo.addCeremony(ceremony(id, 'ivan', T1), 2)));
      const left = await Promise.all(['i1', 'i2', 'i3', 'i4', 'i5', 'i6'].map((id) => repo.takeCeremony(id, 'ivan', 'authentication', T1)));
      assert.equal(left.filter(Boolean).length, 2);
    });

    test('elevations are listed while in force', async () => {
      await repo.addElevation({ apiKeyId: 'k1', principal: 'alice', amr: ['otp'], authTime: T0, expiresAt: T1 });
      assert.deepEqual((await repo.activeElevations(T0)).map((e) => e.apiKeyId), ['k1']);
      assert.deepEqual(await repo.activeElevations(T2), []);
    });
  });
}

conformance('SQLite', async () => {
  const dir = tempDir();
  const db = openDatabase(dir);
  return { repo: new SqliteMfaRepository(db), close: async () => (db.close(), rmSync(dir, { recursive: true, force: true })) };
});

conformance('PostgreSQL', async () => {
  const schema = await freshSchema('mfa');
  return { repo: await PostgresMfaRepository.open(schema.pool), close: () => schema.close() };
});
