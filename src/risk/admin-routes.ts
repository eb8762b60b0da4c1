/**
 * Admin API of the risk module (mounted under /admin by the gateway):
 * - `POST /ingest?format=syslog|auditd|windows|cloudtrail|entra|okta`: a batch (file body) through the
 *   risk inbox; counts by reason and per-line errors reported; 202 when another consumer holds the inbox.
 *   In a cluster with risk partitioning, onto the partitioned stream instead (202 once stored).
 * - `GET /detections?entityType=&entityId=&detector=&since=&limit=`: stored detections, newest first.
 * - `GET /risk/:type/:id?session=`: the live risk snapshot and the principal's latest detections.
 */
import { z } from 'zod';
import { WardenError, type WardenEvent, type EntityRef, type RiskSnapshot } from '../core/index.js';
import type { AdminRoute } from '../gateway/index.js';
import { isLogFormat, LOG_FORMATS, parseCounts, parseLog } from './connectors/index.js';
import type { ImportReceipt } from './partition/publish.js';
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

/**
 * Imports one batch: parses it, appends the events to the risk inbox and lets the engine that consumes
 * the inbox process them (this one, in a running Warden). The summary counts records by what became of
 * them, lists malformed records by line, and says whether the events were processed or are queued.
 */
export function ingestBatch(engine: RiskEngine, text: string, format: string, origin: string): Record<string, unknown> {
  const result = parseBatch(text, format);
  const ingested = engine.ingest(result.events, origin);
  return {
    format,
    ...parseCounts(result),
    errors: result.errors,
    inbox: { first: ingested.first, last: ingested.last },
    queued: ingested.queued,
    processed: ingested.processed,
    detections: ingested.detections.length,
  };
}

function parseBatch(text: string, format: string): ReturnType<typeof parseLog> {
  if (!isLogFormat(format)) throw new WardenError('validation_failed', `format: must be one of ${LOG_FORMATS.join(', ')}`);
  return parseLog(text, format, { maxErrors: 100 });
}

/**
 * In a cluster with risk partitioning (docs/deploy.md): imported events go onto the partitioned stream
 * for their principals' owners rather than into this instance's engine and inbox (which would fork the
 * baselines), and the risk route answers with the score the gateway decides with (this instance's or the
 * shared one, whichever is higher), since the principal's owner may be another instance.
 */
export interface ClusterRiskRoutes {
  publishImported(events: readonly WardenEvent[]): Promise<ImportReceipt>;
  risk: { snapshot(principal: EntityRef, sessionId?: string): RiskSnapshot };
}

export function riskAdminRoutes(engine: RiskEngine, cluster?: ClusterRiskRoutes): AdminRoute[] {
  const snapshots = cluster?.risk ?? engine;
  return [
    {
      method: 'POST',
      path: '/ingest',
      query: ['format'],
      async handler(request) {
        const format = request.query.format ?? '';
        if (!request.rawBody.trim()) throw new WardenError('bad_request', 'the body is empty: send the log records');
        if (cluster) {
          const result = parseBatch(request.rawBody, format);
          // Answered only once JetStream acknowledged every event: a 202 means each is stored for its owner.
          const receipt = await cluster.publishImported(result.events);
          const stream = { first: receipt.first, last: receipt.last, published: receipt.published, duplicates: receipt.duplicates };
          return { status: 202, body: { format, ...parseCounts(result), errors: result.errors, stream, queued: true } };
        }
        const body = ingestBatch(engine, request.rawBody, format, `POST /admin/ingest by ${request.identity.principal.kind}:${request.identity.principal.id}`.slice(0, 200));
        return { status: body.queued ? 202 : 200, body };
      },
    },
    {
      method: 'GET',
      path: '/detections',
      query: Object.keys(detectionQuerySchema.shape),
      async handler(request) {
        const q = validate(detectionQuerySchema, request.query);
        return { body: { detections: await engine.detections(q) } };
      },
    },
    {
      method: 'GET',
      path: '/risk/:type/:id',
      query: ['session'],
      async handler(request) {
        const p = validate(entityParamsSchema, request.params);
        const session = request.query.session;
        const snapshot = snapshots.snapshot(p, session ? session.slice(0, 256) : undefined);
        const recent = await engine.detections({ entityType: p.type, entityId: p.id, limit: 10 });
        return { body: { principal: p, ...snapshot, detections: recent } };
      },
    },
  ];
}
