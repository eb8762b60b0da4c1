/**
 * Admin API of the MCP gateway: the pinned tool definitions and their approval (two-person rule, the
 * approver roles from `mcp.approverRoles`). Listing needs the `admin` role or an approver role.
 */
import { z } from 'zod';
import { WardenError } from '../core/index.js';
import type { AdminRequest, AdminRoute } from '../gateway/index.js';
import type { PinRegistry } from './pins/registry.js';

const statusSchema = z.enum(['pending', 'approved', 'rejected']).optional();
const noteSchema = z.strictObject({ note: z.string().max(2000).optional() });

function approverOf(request: AdminRequest): { id: string; type: string; roles: string[] } {
  const p = request.identity.principal;
  return { id: p.id, type: p.kind, roles: p.roles };
}

export function mcpAdminRoutes(pins: PinRegistry, approverRoles: string[]): AdminRoute[] {
  const roles = [...new Set(['admin', ...approverRoles])];
  return [
    {
      method: 'GET',
      path: '/mcp/tools',
      query: ['status', 'server'],
      roles,
      handler: (request) => {
        const status = statusSchema.safeParse(request.query.status);
        if (!status.success) throw new WardenError('validation_failed', 'status: expected pending, approved or rejected');
        return { body: { tools: pins.list({ ...(status.data ? { status: status.data } : {}), ...(request.query.server ? { server: request.query.server } : {}) }) } };
      },
    },
    {
      method: 'POST',
      path: '/mcp/tools/:id/approve',
      roles: approverRoles,
      handler: async (request) => ({ body: { tool: await pins.approve(request.params.id ?? '', approverOf(request)) } }),
    },
    {
      method: 'POST',
      path: '/mcp/tools/:id/reject',
      roles: approverRoles,
      handler: async (request) => {
        const parsed = noteSchema.safeParse(request.body ?? {});
        if (!parsed.success) throw new WardenError('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
        return { body: { tool: await pins.reject(request.params.id ?? '', approverOf(request), parsed.data.note) } };
      },
    },
  ];
}
