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
 * Served from either log (`AuditSource`): the single-process one, or the cluster's in PostgreSQL, where a
 * checkpoint asked for is signed by whichever instance leads.
 */
import { z } from 'zod';
import { WardenError } from '../core/index.js';
import type { AdminRoute } from '../gateway/index.js';
import { decodeEntry } from './encoding.js';
import { writeExport } from './export.js';
import type { AuditSource } from './source.js';

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

export function auditAdminRoutes(log: AuditSource): AdminRoute[] {
  const latestOrNew = async () => (await log.latestCheckpoint()) ?? (await log.checkpoint());
  const signedSize = async (): Promise<number> => (await latestOrNew()).size;
  return [
    {
      method: 'GET',
      path: '/audit/checkpoint',
      handler: async () => ({ body: (await latestOrNew()).note, contentType: 'text/plain; charset=utf-8' }),
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
      handler: async (req) => {
        const q = query(z.object({ from: int.default(0), limit: int.max(10_000).default(100) }), req.query);
        return { body: { checkpoints: await log.checkpointNotes(q.from, q.limit) } };
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
        const proof = await log.inclusionProof(index, size);
        const cp = await log.latestCheckpoint();
        return { body: { ...proof, ...(cp && cp.size === size ? { checkpoint: cp.note } : {}) } };
      },
    },
    {
      method: 'GET',
      path: '/audit/proofs/consistency',
      query: ['from', 'to'],
      handler: async (req) => {
        const q = query(z.object({ from: int, to: int.optional() }), req.query);
        return { body: await log.consistencyProof(q.from, q.to ?? (await signedSize())) };
      },
    },
    {
      method: 'GET',
      path: '/audit/entries',
      query: ['from', 'limit'],
      handler: async (req) => {
        const q = query(z.object({ from: int.default(0), limit: int.max(1000).default(100) }), req.query);
        return {
          body: {
            size: await log.size(),
            entries: (await log.readRaw(q.from, q.limit)).map((r) => ({ index: r.index, leafHash: r.leafHash.toString('hex'), event: decodeEntry(r.entry).event })),
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
        const latest = to > ((await log.latestCheckpoint())?.size ?? 0) ? await log.checkpoint() : (await log.latestCheckpoint())!;
        let text = '';
        await writeExport(log, { origin: latest.origin, verifierKey: log.publicKey().verifierKey }, { from: q.from, to }, (line) => (text += line));
        return { body: text, contentType: 'application/x-ndjson; charset=utf-8' };
      },
    },
  ];
}
