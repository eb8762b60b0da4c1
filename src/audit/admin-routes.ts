/**
 * Admin API endpoints of the audit log (mounted by the gateway under /admin):
 *   GET  /audit/checkpoint                      latest signed checkpoint (text, C2SP signed note)
 *   POST /audit/checkpoint                      sign a checkpoint of everything durable now
 *   GET  /audit/checkpoints?from=&limit=        stored checkpoints (JSON)
 *   GET  /audit/key                             verifier key and PEM public key
 *   GET  /audit/proofs/inclusion/:index?size=   RFC 9162 inclusion proof (size: latest checkpoint)
 *   GET  /audit/proofs/consistency?from=&to=    RFC 9162 consistency proof (to: latest checkpoint)
 *   GET  /audit/entries?from=&limit=            stored entries as they are committed (sensitive fields sealed)
 *   GET  /audit/export?from=&to=                export segment for `warden audit verify --offline`
 */
import { z } from 'zod';
import { WardenError } from '../core/errors.js';
import type { AdminRoute } from '../gateway/admin-route.js';
import { decodeEntry } from './encoding.js';
import { writeExport } from './export.js';
import type { AuditLog } from './log.js';

const int = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const MAX_EXPORT = 100_000;

function query<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WardenError('validation_failed', `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function auditAdminRoutes(log: AuditLog): AdminRoute[] {
  const signedSize = async (): Promise<number> => (log.latestCheckpoint() ?? (await log.checkpoint())).size;
  return [
    {
      method: 'GET',
      path: '/audit/checkpoint',
      handler: async () => ({ body: (log.latestCheckpoint() ?? (await log.checkpoint())).note, contentType: 'text/plain; charset=utf-8' }),
    },
    {
      method: 'POST',
      path: '/audit/checkpoint',
      handler: async () => ({ body: (await log.checkpoint()).note, contentType: 'text/plain; charset=utf-8' }),
    },
    {
      method: 'GET',
      path: '/audit/checkpoints',
      query: ['from', 'limit'],
      handler: (req) => {
        const q = query(z.object({ from: int.default(0), limit: int.max(10_000).default(100) }), req.query);
        return { body: { checkpoints: log.checkpointNotes(q.from, q.limit) } };
      },
    },
    {
      method: 'GET',
      path: '/audit/key',
      handler: () => ({ body: log.publicKey() }),
    },
    {
      method: 'GET',
      path: '/audit/proofs/inclusion/:index',
      query: ['size'],
      handler: async (req) => {
        const { index } = query(z.object({ index: int }), req.params);
        const q = query(z.object({ size: int.optional() }), req.query);
        const size = q.size ?? (await signedSize());
        const proof = log.inclusionProof(index, size);
        const cp = log.latestCheckpoint();
        return { body: { ...proof, ...(cp && cp.size === size ? { checkpoint: cp.note } : {}) } };
      },
    },
    {
      method: 'GET',
      path: '/audit/proofs/consistency',
      query: ['from', 'to'],
      handler: async (req) => {
        const q = query(z.object({ from: int, to: int.optional() }), req.query);
        return { body: log.consistencyProof(q.from, q.to ?? (await signedSize())) };
      },
    },
    {
      method: 'GET',
      path: '/audit/entries',
      query: ['from', 'limit'],
      handler: (req) => {
        const q = query(z.object({ from: int.default(0), limit: int.max(1000).default(100) }), req.query);
        return {
          body: {
            size: log.size(),
            entries: log.readRaw(q.from, q.limit).map((r) => ({ index: r.index, leafHash: r.leafHash.toString('hex'), event: decodeEntry(r.entry).event })),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/audit/export',
      query: ['from', 'to'],
      handler: async (req) => {
        const q = query(z.object({ from: int.default(0), to: int.optional() }), req.query);
        const to = q.to ?? (await log.checkpoint()).size;
        if (to - q.from > MAX_EXPORT) throw new WardenError('bad_request', `export at most ${MAX_EXPORT} entries per request; use \`warden audit export\` for more`);
        if (to > (log.latestCheckpoint()?.size ?? 0)) await log.checkpoint();
        let text = '';
        writeExport(log, { origin: log.latestCheckpoint()!.origin, verifierKey: log.publicKey().verifierKey }, { from: q.from, to }, (line) => (text += line));
        return { body: text, contentType: 'application/x-ndjson; charset=utf-8' };
      },
    },
  ];
}
