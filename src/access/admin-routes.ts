/**
 * Just-in-time elevation's API under `/admin/access` (the CLI's `warden access` does the same on the
 * store). Any authenticated principal may call it: requesting is for oneself; approving, denying and
 * revoking are decided by the role's configuration (`access.roles`), not by holding `admin`. A caller
 * sees their own requests and those they may decide; an admin sees all.
 */
import { z } from 'zod';
import { WardenError, type Identity } from '../core/index.js';
import { type AdminRoute, validateInput } from '../gateway/index.js';
import type { AccessRequests, Actor } from './requests.js';
import { parseDuration } from './duration.js';
import type { AccessRequestRecord } from './store/types.js';

const id = z.string().min(1).max(100);
const requestSchema = z
  .object({
    role: z.string().min(1).max(100),
    /** `1h`, `90m`, … or a number of seconds. */
    for: z.union([z.string().max(20), z.number().int().positive()]),
    reason: z.string().min(1).max(500),
  })
  .strict();
const approveSchema = z.object({ code: z.string().min(6).max(20).optional() }).strict();
const endSchema = z.object({ reason: z.string().max(500).default('') }).strict();
const statusSchema = z.enum(['pending', 'active', 'denied', 'revoked', 'expired']);

/** The person acting: their own credential, never an agent acting for them. */
function actorOf(identity: Identity): Actor {
  if (identity.delegation) throw new WardenError('forbidden', 'access requests are decided by people, not by an agent acting for one');
  const authn = identity.authentication;
  return { id: identity.principal.id, roles: identity.principal.roles, ...(authn.mfa && authn.ageSeconds !== undefined ? { mfaAgeSeconds: authn.ageSeconds } : {}) };
}

export function accessAdminRoutes(access: AccessRequests): AdminRoute[] {
  const visible = (identity: Identity, r: AccessRequestRecord) => identity.principal.roles.includes('admin') || r.principal === identity.principal.id || access.mayDecide(r.role, identity.principal.id);
  return [
    {
      method: 'POST',
      path: '/access/requests',
      anyPrincipal: true,
      handler: async (req) => {
        const input = validateInput(requestSchema, req.body);
        const seconds = typeof input.for === 'number' ? input.for : parseDuration(input.for);
        if (seconds === undefined) throw new WardenError('validation_failed', '`for`: a duration like `1h`, `90m` or a number of seconds');
        const record = await access.request({ principal: actorOf(req.identity).id, role: input.role, seconds, reason: input.reason });
        return { status: 201, body: record };
      },
    },
    {
      method: 'GET',
      path: '/access/requests',
      anyPrincipal: true,
      query: ['principal', 'status', 'limit'],
      handler: async (req) => {
        const status = req.query.status === undefined ? undefined : validateInput(statusSchema, req.query.status);
        const limit = req.query.limit === undefined ? 100 : validateInput(z.coerce.number().int().min(1).max(1000), req.query.limit);
        const items = await access.list({ ...(req.query.principal ? { principal: validateInput(id, req.query.principal) } : {}), ...(status ? { status } : {}), limit });
        return { body: { items: items.filter((r) => visible(req.identity, r)) } };
      },
    },
    {
      method: 'GET',
      path: '/access/requests/:id',
      anyPrincipal: true,
      handler: async (req) => {
        const record = await access.get(validateInput(id, req.params.id));
        if (!visible(req.identity, record)) throw new WardenError('not_found', 'no such access request');
        return { body: { ...record, history: await access.history(record.id) } };
      },
    },
    {
      method: 'POST',
      path: '/access/requests/:id/approve',
      anyPrincipal: true,
      handler: async (req) => {
        const input = validateInput(approveSchema, req.body ?? {});
        return { body: await access.approve(validateInput(id, req.params.id), { ...actorOf(req.identity), ...(input.code !== undefined ? { code: input.code } : {}) }) };
      },
    },
    {
      method: 'POST',
      path: '/access/requests/:id/deny',
      anyPrincipal: true,
      handler: async (req) => ({ body: await access.deny(validateInput(id, req.params.id), actorOf(req.identity), validateInput(endSchema, req.body ?? {}).reason) }),
    },
    {
      method: 'POST',
      path: '/access/requests/:id/revoke',
      anyPrincipal: true,
      handler: async (req) => ({ body: await access.revoke(validateInput(id, req.params.id), actorOf(req.identity), validateInput(endSchema, req.body ?? {}).reason) }),
    },
  ];
}
