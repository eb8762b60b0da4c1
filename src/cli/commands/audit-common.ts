/** What the `warden audit ...` commands share: locating the data dir, the audit config and the verifier key. */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ClusterAuditView, auditConfigSchema, loadVerifier, openAuditView, type AuditConfig, type NoteVerifier, type SegmentSource } from '../../audit/index.js';
import { clusterDatabaseUrl } from '../../cluster/index.js';
import { openPostgres } from '../../store/index.js';
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

/** A log opened read-only for the CLI: entries, checkpoints and subtree hashes. */
export interface StoredLog extends SegmentSource {
  size(): number | Promise<number>;
  close(): Promise<void>;
}

/**
 * The log the CLI reads: with WARDEN_DATABASE_URL the cluster's log in PostgreSQL (never a local audit.db,
 * which would be another log or none), else `<dataDir>/audit.db`. Read-only either way.
 */
export async function openStoredLog(ctx: AuditContext, io: CliIO): Promise<StoredLog> {
  const url = clusterDatabaseUrl(io.env);
  if (!url) {
    const view = openAuditView(ctx.dataDir);
    return {
      size: () => view.size(),
      subtreeHash: (start, end) => view.subtreeHash(start, end),
      readRaw: (from, limit) => view.readRaw(from, limit),
      checkpointNotes: (from, limit) => view.checkpointNotes(from, limit),
      close: async () => view.close(),
    };
  }
  const pool = await openPostgres(url, { max: 2 });
  const view = new ClusterAuditView(pool);
  try {
    await view.size();
  } catch (error) {
    await pool.end();
    if ((error as { code?: string }).code === '42P01') throw new UsageError('no audit log in this database (WARDEN_DATABASE_URL)');
    throw error;
  }
  return {
    size: () => view.size(),
    subtreeHash: (start, end) => view.subtreeHash(start, end),
    readRaw: (from, limit) => view.readRaw(from, limit),
    checkpointNotes: (from, limit) => view.checkpointNotes(from, limit),
    close: async () => {
      view.close();
      await pool.end();
    },
  };
}
