/**
 * The console API's route table. Each route names the least console role it needs and the admin scope
 * area a signed-in key must cover. The existing admin routes are mounted as they are under
 * `/ui/api/admin/...` with the console's role rules in front of their own: reads for every console role,
 * a short list of responses for analysts, everything else for admins only; a route that names its own
 * roles (the two-person rule's approver roles) still requires them.
 */
import type { AdminRoute } from '../gateway/index.js';
import type { ConsoleRole } from './roles.js';

export interface ConsoleRoute extends Omit<AdminRoute, 'roles'> {
  /** Least console role. */
  role: ConsoleRole;
  /** Admin scope area the signed-in key must cover (`admin:<area>`). */
  area: string;
  /** Principal roles also required (any of), as declared by the mounted admin route. */
  principalRoles?: string[];
}

/** Admin actions an analyst may take from the console (read and respond). */
const ANALYST_ACTIONS = new Set([
  'DELETE /keys/:id',
  'POST /policies/validate',
  'POST /policies/dry-run',
  'POST /audit/checkpoint',
  'POST /integrity/assets/:id/verify',
  'POST /integrity/changes/:id/approve',
  'POST /integrity/changes/:id/reject',
  'POST /incidents/:id/acknowledge',
  'POST /incidents/:id/contain',
  'POST /incidents/:id/resolve',
  'POST /incidents/:id/notes',
]);

export function mountAdminRoutes(routes: readonly AdminRoute[]): ConsoleRoute[] {
  return routes.map((route) => {
    const key = `${route.method} ${route.path}`;
    const role: ConsoleRole = route.method === 'GET' ? 'auditor' : ANALYST_ACTIONS.has(key) ? 'analyst' : 'admin';
    const { roles, ...rest } = route;
    return {
      ...rest,
      path: `/admin${route.path}`,
      role,
      area: route.path.split('/')[1] ?? '',
      // The admin API's default (`admin` only) is replaced by the console's rule; explicit roles stay.
      ...(roles ? { principalRoles: roles } : {}),
    };
  });
}
