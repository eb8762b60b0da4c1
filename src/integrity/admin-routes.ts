/**
 * Admin API of the integrity module (mounted by the gateway under /admin): assets, change requests and
 * their approval (two-person rule, approver roles from config), lineage and suspect clearing.
 */
import { z } from 'zod';
import { WardenError } from '../core/index.js';
import type { AdminRequest, AdminRoute } from '../gateway/index.js';
import type { Integrity } from './service.js';
import type { Actor } from './registry/types.js';

function actorOf(request: AdminRequest): Actor {
  const p = request.identity.principal;
  return { id: p.id, type: p.kind, roles: p.roles };
}

function body<T>(schema: z.ZodType<T>, request: AdminRequest): T {
  const parsed = schema.safeParse(request.body ?? {});
  if (!parsed.success) throw new WardenError('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  return parsed.data;
}

const noteSchema = z.object({ note: z.string().max(2000).optional() });
const changeBody = z.object({ assetId: z.string(), reason: z.string(), expectedDigest: z.string().optional() });
const lineageBody = z.object({ upstream: z.string(), downstream: z.string(), runId: z.string().optional(), upstreamDigest: z.string().optional(), downstreamDigest: z.string().optional() });
const assetBody = z.object({
  id: z.string().optional(),
  kind: z.enum(['model', 'dataset']),
  name: z.string().optional(),
  location: z.string(),
  owner: z.string(),
  sensitivity: z.enum(['public', 'internal', 'confidential', 'restricted']).optional(),
  signerPublicKey: z.string().optional(),
  method: z.enum(['files', 'shards']).optional(),
  shardSize: z.number().int().optional(),
});
const statusSchema = z.enum(['pending', 'approved', 'rejected', 'applied', 'expired']).optional();

export function integrityAdminRoutes(integrity: Integrity): AdminRoute[] {
  const approverRoles = integrity.config.approverRoles;
  return [
    { method: 'GET', path: '/integrity/assets', handler: async () => ({ body: { assets: await integrity.registry.list() } }) },
    {
      method: 'POST',
      path: '/integrity/assets',
      handler: async (request) => {
        const result = await integrity.addAsset(body(assetBody, request), actorOf(request));
        return { status: 201, body: result };
      },
    },
    { method: 'GET', path: '/integrity/assets/:id', handler: async (request) => ({ body: { asset: await integrity.registry.require(request.params.id ?? '') } }) },
    {
      method: 'POST',
      path: '/integrity/assets/:id/verify',
      handler: async (request) => {
        const id = request.params.id ?? '';
        await integrity.registry.require(id);
        const check = await integrity.verifier.check(id, 'admin');
        return { body: { asset: await integrity.registry.require(id), check } };
      },
    },
    {
      method: 'POST',
      path: '/integrity/assets/:id/clear-suspect',
      roles: approverRoles,
      handler: async (request) => ({ body: { asset: await integrity.clearSuspect(request.params.id ?? '', actorOf(request)) } }),
    },
    {
      method: 'GET',
      path: '/integrity/changes',
      query: ['status', 'asset'],
      handler: async (request) => {
        const status = statusSchema.safeParse(request.query.status);
        if (!status.success) throw new WardenError('validation_failed', 'status: expected pending, approved, rejected, applied or expired');
        return { body: { changes: await integrity.changes.list({ ...(request.query.asset ? { assetId: request.query.asset } : {}), ...(status.data ? { status: status.data } : {}) }) } };
      },
    },
    { method: 'GET', path: '/integrity/changes/:id', handler: async (request) => ({ body: { change: await integrity.changes.require(request.params.id ?? '') } }) },
    {
      method: 'POST',
      path: '/integrity/changes',
      roles: [...new Set(['admin', ...approverRoles, 'asset-owner'])],
      handler: async (request) => ({ status: 201, body: { change: await integrity.changes.request(body(changeBody, request), actorOf(request)) } }),
    },
    {
      method: 'POST',
      path: '/integrity/changes/:id/approve',
      roles: approverRoles,
      handler: async (request) => ({ body: await integrity.approveChange(request.params.id ?? '', actorOf(request), body(noteSchema, request).note) }),
    },
    {
      method: 'POST',
      path: '/integrity/changes/:id/reject',
      roles: approverRoles,
      handler: async (request) => ({ body: { change: await integrity.changes.reject(request.params.id ?? '', actorOf(request), body(noteSchema, request).note) } }),
    },
    {
      method: 'POST',
      path: '/integrity/lineage',
      handler: async (request) => ({ status: 201, body: { edge: await integrity.lineage.add(body(lineageBody, request), actorOf(request)) } }),
    },
    { method: 'GET', path: '/integrity/lineage/:id', handler: async (request) => ({ body: await integrity.lineage.show(request.params.id ?? '') }) },
  ];
}
