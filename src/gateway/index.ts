/**
 * The gateway: the HTTP server in front of the upstreams (LLM and generic routes), the request pipeline
 * (authenticate, guard, Cedar decision, limits, relay), the admin API and its routes, and the HTTP helpers
 * (one JSON error shape, bounded bodies) the other modules' routes share.
 */
export { coreAdminRoutes } from './admin-core.js';
export type { AdminRequest, AdminRoute } from './admin-route.js';
export { AdminApi } from './admin.js';
export { authorizeSchema } from './authorize.js';
export type { AuthorizeInput } from './authorize.js';
export { dryRun } from './dry-run.js';
export { Exchange } from './exchange.js';
export { Gateway } from './gateway.js';
export { compileRoutes } from './generic.js';
export { checkJsonMediaType, clientIp, header, parseJsonBody, parseQuery, readBody, sendError, sendJson } from './http.js';
export { InFlightRequests } from './in-flight.js';
export { GatewayMetrics } from './metrics.js';
export { compilePattern } from './pattern.js';
export type { PathPattern } from './pattern.js';
export { NO_RISK, Pipeline } from './pipeline.js';
export type { AssetAttributeSource, RiskSource, ScopedDecision } from './pipeline.js';
export { Upstreams } from './upstream.js';
export { validateInput } from './validate.js';
