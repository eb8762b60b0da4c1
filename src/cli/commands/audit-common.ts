/** What the `warden audit ...` commands share: locating the data dir, the audit config and the verifier key. */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { auditConfigSchema, loadVerifier, type AuditConfig, type NoteVerifier } from '../../audit/index.js';
import { clusterDatabaseUrl } from '../../config/cluster.js';
import { UsageError, type CliIO } from '../command.js';
import { configFor } from '../options.js';

export interface AuditContext {
  dataDir: string;
  audit: AuditConfig;
}

export function auditContext(values: { config?: string | boolean | undefined; 'data-dir'?: string | boolean | undefined }, io: CliIO): AuditContext {
  const loaded = configFor(values, io);
  const section = (loaded.config as unknown as Record<string, unknown>).audit;
  const parsed = auditConfigSchema.safeParse(section ?? {});
  if (!parsed.success) throw new UsageError(`invalid audit configuration: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return { dataDir: loaded.config.dataDir, audit: parsed.data };
}

/** Reads `--key FILE` (a verifier key line or an Ed25519 SPKI PEM); a PEM takes the configured origin as name. */
export function verifierFromFile(file: string, io: CliIO, origin: string): NoteVerifier {
  const path = isAbsolute(file) ? file : resolve(io.cwd, file);
  if (!existsSync(path)) throw new UsageError(`--key: no file \`${file}\``);
  return loadVerifier(readFileSync(path, 'utf8'), origin);
}

export function signingKeyPath(ctx: AuditContext): string {
  const f = ctx.audit.signingKeyFile;
  return isAbsolute(f) ? f : join(ctx.dataDir, f);
}

export function intFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a non-negative integer`);
  return Number(value);
}

/**
 * For commands that read audit.db only: with WARDEN_DATABASE_URL the log is in PostgreSQL, and reading a
 * local audit.db instead would answer about another log (or none). Only `verify` and `key` serve a cluster yet.
 */
export function refuseClusterLog(io: CliIO, command: string): void {
  if (clusterDatabaseUrl(io.env)) throw new UsageError(`warden ${command} reads the single-process log only; with WARDEN_DATABASE_URL use \`warden audit verify\``);
}
