/**
 * Admin API of the risk module (mounted under /admin by the gateway):
 * - `POST /ingest?format=cloudtrail|entra|okta|sshd`: a batch (file body); per-line errors reported.
 * - `GET /detections?entityType=&entityId=&detector=&since=&limit=`: stored detections, newest first.
 * - `GET /risk/:type/:id?session=`: the live risk snapshot and the principal's latest detections.
 */
import { z } from 'zod';
import { WardenError } from '../core/errors.js';
import type { AdminRoute } from '../gateway/admin-route.js';
import { isLogFormat, LOG_FORMATS, parseLog } from './connectors/index.js';
import type { RiskEngine } from './types.js';

const detectionQuerySchema = z.object({
  entityType: z.string().min(1).max(64).optional(),
  entityId: z.string().min(1).max(256).optional(),
  detector: z.string().min(1).max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});

const entityParamsSchema = z.object({ type: z.enum(['User', 'Service', 'Agent']), id: z.string().min(1).max(256) });

function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WardenError('validation_failed', `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Imports one batch and feeds it to the engine; the summary lists malformed records by line. */
export function ingestBatch(engine: RiskEngine, text: string, format: string): Record<string, unknown> {
  if (!isLogFormat(format)) throw new WardenError('validation_failed', `format: must be one of ${LOG_FORMATS.join(', ')}`);
  const result = parseLog(text, format, { maxErrors: 100 });
  let detections = 0;
  for (const event of result.events) detections += engine.process(event).length;
  return {
    format,
    records: result.records,
    events: result.events.length,
    skipped: result.skipped,
    malformed: result.errorCount,
    errors: result.errors,
    detections,
  };
}

export function riskAdminRoutes(engine: RiskEngine): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/ingest',
      handler(request) {
        const format = request.query.format ?? '';
        if (!request.rawBody.trim()) throw new WardenError('bad_request', 'the body is empty: send the log records');
        return { body: ingestBatch(engine, request.rawBody, format) };
      },
    },
    {
      method: 'GET',
      path: '/detections',
      handler(request) {
        const q = validate(detectionQuerySchema, request.query);
        return { body: { detections: engine.detections(q) } };
      },
    },
    {
      method: 'GET',
      path: '/risk/:type/:id',
      handler(request) {
        const p = validate(entityParamsSchema, request.params);
        const session = request.query.session;
        const snapshot = engine.snapshot(p, session ? session.slice(0, 256) : undefined);
        const recent = engine.detections({ entityType: p.type, entityId: p.id, limit: 10 });
        return { body: { principal: p, ...snapshot, detections: recent } };
      },
    },
  ];
}
