/**
 * Admin API of the exporter (mounted by the gateway under /admin):
 * - `GET /admin/export/status`: every sink's state, cursor, log size and lag.
 */
import type { AdminRoute } from '../gateway/index.js';
import type { Exporter } from './exporter.js';

export function createExportAdminRoutes(exporter: Pick<Exporter, 'status'>): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/export/status',
      handler: () => ({ body: exporter.status() }),
    },
  ];
}
