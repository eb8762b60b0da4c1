/** Public interface of the integrity module: signed models and datasets, tamper detection, scanning, lineage. */
export { createIntegrity, type Integrity, type IntegrityOptions } from './service.js';
export { integrityAdminRoutes } from './admin-routes.js';
export { integrityConfigSchema, type IntegrityConfig } from './config.js';
export { HashPool, type HashTask, type HashPoolOptions } from './hash/pool.js';
export { buildManifest, diffManifests, listModelFiles, rootDigestOf, SIGNATURE_FILE, type Manifest, type ManifestDiff, type ManifestItem, type SerializationMethod } from './manifest.js';
export { signModel, signManifest, statementFor, defaultSignaturePath, type SignResult, type SignOptions } from './signing/sign.js';
export { verifyModel, verifyBundle, type VerifyResult, type VerifyFailure } from './signing/verify.js';
export { loadPrivateKey, loadPublicKey, keyHint } from './signing/keys.js';
export { BUNDLE_MEDIA_TYPE, PREDICATE_TYPE, STATEMENT_TYPE, INTOTO_PAYLOAD_TYPE, pae } from './signing/bundle.js';
export * from './scan/index.js';
export { AssetRegistry, type ResourceAttributes } from './registry/registry.js';
export { ChangeControl, type ChangeInput } from './registry/changes.js';
export { Lineage, type LineageInput } from './registry/lineage.js';
export { INTEGRITY_MODULE, integrityMigrations } from './registry/migrations.js';
export type { Asset, AssetInput, AssetStatus, ChangeRequest, LineageEdge, Actor } from './registry/types.js';
export { AssetVerifier, type CheckOutcome, type CheckResult } from './verifier.js';
export { AssetWatcher } from './watcher.js';
export { INTEGRITY_POLICIES } from './policies.js';
