/** The audit log module: a tamper-evident, RFC 9162 Merkle-tree log of every event, with signed checkpoints. */
export type { AuditRecord, AuditReader } from './reader.js';
export type { AuditSource, SegmentSource, RawEntry, Awaitable, InclusionProof, ConsistencyProof } from './source.js';
export { ClusterAuditView } from './cluster-view.js';
export { auditConfigSchema, type AuditConfig, type AuditConfigInput } from './config.js';
export {
  createAuditLog,
  type AuditLog,
  type AuditLogOptions,
  type AuditLogger,
  type AuditAppend,
  type AuditReads,
  type AuditProofs,
  type AuditCheckpoints,
  type AuditShredding,
} from './log.js';
export { type Checkpoint, type SignedCheckpoint, openCheckpoint, checkpointBody } from './checkpoint.js';
export { parseVerifierKey, loadVerifier, verifierKeyString, type NoteVerifier } from './signing-key.js';
export {
  hashLeaf,
  hashChildren,
  EMPTY_ROOT,
  rootFromLeafHashes,
  inclusionProof,
  consistencyProof,
  verifyInclusion,
  verifyConsistency,
  rootFromInclusionProof,
} from './tree.js';
export { encodeEntry, decodeEntry } from './encoding.js';
export { verifyAuditLog, signingKeyVerifier, type VerifyReport, type VerifyProblem, type VerifyOptions, type ProblemKind } from './verify.js';
export { writeExport, verifyExport, EXPORT_FORMAT, type ExportHeader, type OfflineReport } from './export.js';
export { openAuditView, type AuditView, type LogSource } from './view.js';
export { verifierKeyFromFile, publicKeyPemFromFile } from './signing-key.js';
export { canonicalJson } from './canonical-json.js';
export { auditAdminRoutes } from './admin-routes.js';
export { createClusterAuditLog, type ClusterAuditLog, type ClusterAuditLogOptions } from './cluster-log.js';
export { verifyClusterAuditLog, verifyClusterAuditLogAt } from './verify-cluster.js';
export { openPgAuditStore, type AppendHook } from './store/postgres.js';
export { loadKeyring } from './sensitive.js';
export type { Keyring } from './sensitive.js';
