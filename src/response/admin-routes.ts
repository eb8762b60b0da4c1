/**
 * Admin API of the response module (mounted under /admin; admin role):
 * - `GET /response/actions?status=&limit=`, `GET /response/actions/:id`
 * - `POST /response/actions/:id/approve | reject | undo`
 * - `GET /response/dead-letters`, `POST /response/dead-letters/replay` (`{"id"?}`)
 * - `GET /incidents?state=&limit=`, `GET /incidents/stats`, `GET /incidents/:id`
 * - `POST /incidents/:id/acknowledge | contain`, `POST /incidents/:id/resolve` (`{"resolution", "note"?}`),
 *   `POST /incidents/:id/notes` (`{"text"}`), `PUT /incidents/:id/assignee` (`{"assignee"}`)
 */
import { z } from 'zod';
import { type AdminRequest, type AdminRoute, validateInput } from '../gateway/index.js';
import type { ResponseEngine } from './engine.js';
import { incidentStats } from './measures.js';
import { replayDeadLetters } from './notifier.js';
import { originOf, publicAction } from './redact.js';
import type { ResponseRepository } from './store/types.js';

const id = z.string().min(1).max(100);
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const actionQuery = listQuery.extend({ status: z.enum(['pending', 'active', 'dry_run', 'expired', 'undone', 'rejected', 'failed']).optional() });
const incidentQuery = listQuery.extend({ state: z.enum(['open', 'acknowledged', 'contained', 'resolved']).optional() });
const resolveBody = z.object({ resolution: z.enum(['true_positive', 'benign', 'false_positive']), note: z.string().min(1).max(4000).optional() }).strict();
const noteBody = z.object({ text: z.string().min(1).max(4000) }).strict();
const assignBody = z.object({ assignee: z.string().min(1).max(200) }).strict();
const replayBody = z.object({ id: id.optional() }).strict().optional();

const actor = (req: AdminRequest): string => `${req.identity.principal.kind}::${req.identity.principal.id}`;
const param = (req: AdminRequest): string => validateInput(id, req.params.id);

export function responseAdminRoutes(engine: ResponseEngine, repo: ResponseRepository): AdminRoute[] {
  const decide = (verb: 'approve' | 'reject' | 'undo'): AdminRoute => ({
    method: 'POST',
    path: `/response/actions/:id/${verb}`,
    handler: async (req) => ({ body: publicAction(await engine[verb](param(req), actor(req))) }),
  });
  return [
    {
      method: 'GET',
      path: '/response/actions',
      query: ['status', 'limit'],
      handler: async (req) => {
        const q = validateInput(actionQuery, req.query);
        return { body: { actions: (await repo.listActions({ ...(q.status ? { status: [q.status] } : {}), limit: q.limit })).map(publicAction) } };
      },
    },
    { method: 'GET', path: '/response/actions/:id', handler: async (req) => ({ body: publicAction(await engine.require(param(req))) }) },
    decide('approve'),
    decide('reject'),
    decide('undo'),
    {
      method: 'GET',
      path: '/response/dead-letters',
      query: ['limit'],
      handler: async (req) => {
        const q = validateInput(listQuery, req.query);
        // A webhook URL can be the secret itself: only its origin is shown.
        const dead = await repo.listNotifications({ status: 'dead', limit: q.limit });
        return { body: { deadLetters: dead.map(({ secretRef: _s, body: _b, url, ...n }) => ({ ...n, url: originOf(url) })) } };
      },
    },
    {
      method: 'POST',
      path: '/response/dead-letters/replay',
      handler: async (req) => {
        const body = validateInput(replayBody, req.body);
        const replayed = await replayDeadLetters(repo, body?.id);
        engine.notifier.kick();
        return { body: { replayed } };
      },
    },
    {
      method: 'GET',
      path: '/incidents',
      query: ['state', 'limit'],
      handler: async (req) => {
        const q = validateInput(incidentQuery, req.query);
        return { body: { incidents: await repo.listIncidents({ ...(q.state ? { state: [q.state] } : {}), limit: q.limit }) } };
      },
    },
    { method: 'GET', path: '/incidents/stats', handler: async () => ({ body: incidentStats(await repo.listIncidents()) }) },
    { method: 'GET', path: '/incidents/:id', handler: async (req) => ({ body: await engine.incidents.get(param(req)) }) },
    { method: 'POST', path: '/incidents/:id/acknowledge', handler: async (req) => ({ body: await engine.incidents.transition(param(req), 'acknowledged', actor(req)) }) },
    { method: 'POST', path: '/incidents/:id/contain', handler: async (req) => ({ body: await engine.incidents.transition(param(req), 'contained', actor(req)) }) },
    {
      method: 'POST',
      path: '/incidents/:id/resolve',
      handler: async (req) => {
        const body = validateInput(resolveBody, req.body);
        return { body: await engine.resolveIncident(param(req), body.resolution, actor(req), body.note) };
      },
    },
    { method: 'POST', path: '/incidents/:id/notes', handler: async (req) => ({ body: await engine.incidents.note(param(req), validateInput(noteBody, req.body).text, actor(req)) }) },
    { method: 'PUT', path: '/incidents/:id/assignee', handler: async (req) => ({ body: await engine.incidents.assign(param(req), validateInput(assignBody, req.body).assignee, actor(req)) }) },
  ];
}
