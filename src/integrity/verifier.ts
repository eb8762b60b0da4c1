/**
 * Checks a registered asset against what was accepted: re-hashes it, checks its signature when a signer is
 * expected, accepts a new digest only through an approved change, and otherwise reports tampering (an
 * `asset` event `tampered` plus a `detection` event naming the files, digests, when and who) and marks
 * everything downstream of it as suspect.
 *
 * @example
 * const outcome = await verifier.check('sentiment-v3', 'manual');
 * // outcome.result is 'baselined' | 'unchanged' | 'accepted' | 'tampered' | 'restored' | 'unavailable'
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBus } from '../events/index.js';
import type { Severity } from '../core/index.js';
import { buildManifest, diffManifests, isEmptyDiff, type Manifest, type ManifestDiff, type ManifestItem } from './manifest.js';
import type { HashPool } from './hash/pool.js';
import { defaultSignaturePath } from './signing/sign.js';
import { verifyBundle } from './signing/verify.js';
import type { AssetRegistry } from './registry/registry.js';
import type { ChangeControl } from './registry/changes.js';
import type { Lineage } from './registry/lineage.js';
import type { Asset } from './registry/types.js';
import { ownerOf } from './owner.js';

export type CheckResult = 'baselined' | 'unchanged' | 'accepted' | 'tampered' | 'restored' | 'unavailable';

export interface CheckOutcome {
  assetId: string;
  result: CheckResult;
  verified: boolean;
  digest: string | null;
  diff?: ManifestDiff;
  signature?: { ok: boolean; reason?: string; message: string };
  /** Assets downstream that this check marked as suspect. */
  markedSuspect?: string[];
}

export interface VerifierDeps {
  registry: AssetRegistry;
  changes: ChangeControl;
  lineage: Lineage;
  pool: () => HashPool;
  bus?: EventBus;
}

const REMOTE = /^[a-z][a-z0-9+.-]*:\/\//i;
const MAX_SIGNATURE_BYTES = 64 * 1024 * 1024;

interface SignatureState {
  ok: boolean;
  reason?: string;
  message: string;
  signer?: string;
  signedDigest?: string;
  signedItems?: ManifestItem[];
  serialization?: { method: 'files' | 'shards'; shardSize?: number };
}

function readSignature(asset: Asset): SignatureState | undefined {
  if (!asset.signerPublicKey) return undefined;
  const path = defaultSignaturePath(asset.location);
  if (!existsSync(path)) return { ok: false, reason: 'no_signature', message: `no signature at \`${path}\`` };
  if (statSync(path).size > MAX_SIGNATURE_BYTES) return { ok: false, reason: 'malformed_signature', message: 'the signature file is too large' };
  const checked = verifyBundle(readFileSync(path, 'utf8'), asset.signerPublicKey);
  if ('ok' in checked) return { ok: checked.ok, message: checked.message, ...(checked.reason ? { reason: checked.reason } : {}) };
  const s = checked.statement.predicate.serialization;
  return {
    ok: true,
    message: 'signature valid',
    signer: checked.signer,
    signedDigest: checked.statement.subject[0]?.digest.sha256 ?? '',
    signedItems: checked.statement.predicate.resources.map((r) => ({ name: r.name, digest: r.digest })),
    serialization: { method: s.method, ...(s.shard_size ? { shardSize: s.shard_size } : {}) },
  };
}

export class AssetVerifier {
  private readonly running = new Map<string, Promise<CheckOutcome>>();

  constructor(private readonly deps: VerifierDeps) {}

  /** Re-checks one asset; concurrent calls for the same asset share one run. */
  check(assetId: string, trigger: string): Promise<CheckOutcome> {
    const existing = this.running.get(assetId);
    if (existing) return existing;
    const run = this.run(assetId, trigger).finally(() => this.running.delete(assetId));
    this.running.set(assetId, run);
    return run;
  }

  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private async run(assetId: string, trigger: string): Promise<CheckOutcome> {
    const { registry } = this.deps;
    const asset = await registry.require(assetId);
    if (REMOTE.test(asset.location)) {
      await registry.update(assetId, { status: 'unavailable', statusDetail: 'remote locations are not hashed by this instance', verified: false });
      return { assetId, result: 'unavailable', verified: false, digest: asset.verifiedDigest };
    }
    const signature = readSignature(asset);
    const serialization = signature?.serialization ?? asset.serialization;
    let manifest: Manifest | undefined;
    if (existsSync(asset.location)) {
      manifest = await buildManifest(asset.location, {
        pool: this.deps.pool(),
        method: serialization.method,
        ...(serialization.shardSize ? { shardSize: serialization.shardSize } : {}),
      });
    }
    const now = Math.floor(Date.now() / 1000);
    const stored = await registry.evidence(assetId);
    const current = manifest?.rootDigest ?? null;
    // The root digest covers the files' contents in name order, not their names: a rename that keeps the
    // order keeps the root. So the names are compared too, with the signed resources and the accepted manifest.
    const signedNow = signature?.ok === true && signature.signedDigest === current && manifest !== undefined && isEmptyDiff(diffManifests(signature.signedItems ?? [], manifest.items));
    const sigView = signature ? { ok: signedNow, ...(signature.reason ? { reason: signature.reason } : {}), message: signature.ok && !signedNow ? 'the signature does not cover the current files' : signature.message } : undefined;

    const settle = async (result: CheckResult, extra: { changeId?: string; diff?: ManifestDiff } = {}): Promise<CheckOutcome> => {
      const verified = signedNow;
      const status = verified ? 'verified' : signature ? 'failed' : 'unsigned';
      await registry.update(assetId, {
        verifiedDigest: current,
        manifest: manifest?.items ?? null,
        verified,
        signer: verified ? (signature?.signer ?? '') : '',
        ...(verified ? { lastVerified: now } : {}),
        status,
        statusDetail: sigView && !sigView.ok ? sigView.message : null,
        tamperedDigest: null,
        // Later checks without a (valid) signature hash the way the accepted digest was computed.
        serialization,
      });
      if (signature && (result !== 'unchanged' || verified !== asset.verified)) {
        this.deps.bus?.publish({
          type: 'asset',
          assetId,
          change: verified ? 'verified' : 'verification_failed',
          details: { trigger, result, digest: current, signer: signature.signer ?? null, ...(sigView && !sigView.ok ? { reason: sigView.reason ?? 'digest_mismatch', message: sigView.message } : {}), ...(extra.changeId ? { changeId: extra.changeId } : {}) },
        });
      } else if (!signature && (result === 'accepted' || result === 'restored')) {
        this.deps.bus?.publish({ type: 'asset', assetId, change: 'verified', details: { trigger, result, digest: current, signed: false, ...(extra.changeId ? { changeId: extra.changeId } : {}) } });
      }
      return { assetId, result, verified, digest: current, ...(extra.diff ? { diff: extra.diff } : {}), ...(sigView ? { signature: sigView } : {}) };
    };

    if (asset.verifiedDigest === null) return current === null ? this.missing(asset) : settle('baselined');
    const diff = diffManifests(stored.manifest ?? [], manifest?.items ?? []);
    // Without an accepted manifest (a record from before manifests were kept) only the digest can be compared.
    if (current === asset.verifiedDigest && (stored.manifest === null || isEmptyDiff(diff))) {
      if (asset.status === 'tampered') return settle('restored');
      const verified = signedNow;
      if (asset.verified && !verified) this.signatureLost(asset, sigView?.message ?? 'signature no longer verifies', trigger);
      if (verified !== asset.verified || asset.status === 'unavailable') return settle(verified ? 'restored' : 'unchanged');
      if (verified) await registry.update(assetId, { lastVerified: now });
      return { assetId, result: 'unchanged', verified, digest: current, ...(sigView ? { signature: sigView } : {}) };
    }
    const approved = current === null ? undefined : await this.deps.changes.approvedFor(assetId, current);
    if (approved && current !== null) {
      // An approval is consumed once; a check running at the same time (another instance) finds it applied to
      // this very digest and accepts too. Expired in between: the change is not accepted.
      const applied = (await this.deps.changes.markApplied(approved.id, current)) || (await this.deps.changes.get(approved.id))?.appliedDigest === current;
      if (applied) return settle('accepted', { changeId: approved.id, diff });
    }
    return this.tampered(asset, current, diff, stored.tamperedDigest, trigger);
  }

  /** The files are intact but their signature was removed or altered: also an unauthorised change. */
  private signatureLost(asset: Asset, message: string, trigger: string): void {
    this.deps.bus?.publish({
      type: 'detection',
      detector: 'integrity.signature',
      category: 'integrity',
      entity: { type: asset.kind === 'model' ? 'Warden::Model' : 'Warden::Dataset', id: asset.id },
      score: 1,
      severity: 'high',
      explanation: `${asset.kind} \`${asset.id}\` no longer verifies: ${message}`,
      details: { digest: asset.verifiedDigest, trigger, location: asset.location, expectedSigner: asset.expectedSigner },
    });
  }

  private async missing(asset: Asset): Promise<CheckOutcome> {
    await this.deps.registry.update(asset.id, { status: 'unavailable', statusDetail: `\`${asset.location}\` does not exist`, verified: false });
    return { assetId: asset.id, result: 'unavailable', verified: false, digest: null };
  }

  private async tampered(asset: Asset, current: string | null, diff: ManifestDiff, reported: string | null, trigger: string): Promise<CheckOutcome> {
    const { registry, bus, lineage } = this.deps;
    const marker = current ?? 'missing';
    const outcome: CheckOutcome = { assetId: asset.id, result: 'tampered', verified: false, digest: current, diff };
    if (reported === marker) return outcome; // already reported this exact state
    await registry.update(asset.id, { verified: false, status: 'tampered', statusDetail: current === null ? 'the asset was removed' : 'files changed outside change control', tamperedDigest: marker });
    const changed = [...diff.modified, ...diff.added, ...diff.renamed.map((r) => r.to)];
    const evidence = this.evidence(asset.location, changed);
    const files = { ...diff, ...(isEmptyDiff(diff) && current === null ? { removed: ['(entire asset)'] } : {}) };
    const summary = [
      diff.modified.length ? `modified ${diff.modified.join(', ')}` : '',
      diff.added.length ? `added ${diff.added.join(', ')}` : '',
      diff.removed.length ? `removed ${diff.removed.join(', ')}` : '',
      diff.renamed.length ? `renamed ${diff.renamed.map((r) => `${r.from} -> ${r.to}`).join(', ')}` : '',
      current === null ? 'the asset is missing' : '',
    ].filter(Boolean).join('; ');
    const severity: Severity = asset.sensitivity === 'restricted' || asset.sensitivity === 'confidential' ? 'critical' : 'high';
    const details = { files, oldDigest: asset.verifiedDigest, newDigest: current, when: evidence.when, who: evidence.who, trigger, location: asset.location };
    bus?.publish({ type: 'asset', assetId: asset.id, change: 'tampered', details });
    bus?.publish({
      type: 'detection',
      detector: 'integrity.tamper',
      category: 'integrity',
      entity: { type: asset.kind === 'model' ? 'Warden::Model' : 'Warden::Dataset', id: asset.id },
      score: 1,
      severity,
      explanation: `${asset.kind} \`${asset.id}\` changed without an approved change request: ${summary || 'content digest changed'}`,
      details,
    });
    const marked = await lineage.markDownstreamSuspect(asset.id, `upstream \`${asset.id}\` was tampered with`);
    return { ...outcome, markedSuspect: marked };
  }

  /** Latest modification time and owners of the changed files: what the file system can tell. */
  private evidence(location: string, files: string[]): { when: string; who: string[] } {
    let latest = 0;
    const who = new Set<string>();
    let isDir = false;
    try {
      isDir = statSync(location).isDirectory();
    } catch {
      return { when: new Date().toISOString(), who: [] };
    }
    for (const name of files.slice(0, 1000)) {
      try {
        const st = statSync(isDir ? join(location, name) : location);
        latest = Math.max(latest, st.mtimeMs);
        who.add(ownerOf(st.uid));
      } catch {
        // removed again since hashing
      }
    }
    return { when: new Date(latest || Date.now()).toISOString(), who: [...who] };
  }
}
