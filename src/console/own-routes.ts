/**
 * The console's own API routes (mounted under /ui/api beside the admin API's): the overview's
 * aggregates, one decision explained, the principal list and a principal's risk over time, the re-decision
 * of recorded traffic under a policy edit, an audit verification job, and the compliance report.
 */
import { z } from 'zod';
import { WardenError } from '../core/index.js';
import type { WardenConfig } from '../config/index.js';
import type { DecisionRepository } from '../events/index.js';
import type { AuditSource } from '../audit/index.js';
import type { ApiKeyStore, Directory } from '../identity/index.js';
import type { Integrity } from '../integrity/index.js';
import { BundleError, PolicyDecisionPoint, type PolicyManager } from '../policy/index.js';
import type { RiskEngine } from '../risk/index.js';
import { type AssetAttributeSource, type RiskSource, validateInput } from '../gateway/index.js';
import type { ResponseRepository } from '../response/index.js';
import type { AuditVerification } from './audit-verification.js';
import { complianceReport } from './compliance.js';
import { incidentOverview } from './incident-trend.js';
import type { DecisionExplainer } from './explain.js';
import { replay } from './replay.js';
import type { ConsoleRoute } from './routes.js';

export interface OwnRouteDeps {
  config: WardenConfig;
  stats: DecisionRepository;
  explainer: DecisionExplainer;
  policies: PolicyManager;
  directory: Directory;
  apiKeys: ApiKeyStore;
  risk: RiskSource;
  engine: RiskEngine;
  assets: AssetAttributeSource;
  integrity: Integrity;
  audit: AuditSource;
  verification: AuditVerification;
  configured: AssetAttributeSource;
  /** The response module's incidents (absent: the overview shows none). */
  incidents?: Pick<ResponseRepository, 'listIncidents'>;
}

const replaySchema = z.strictObject({
  files: z.record(z.string().min(1).max(300), z.string().max(1_000_000)).refine((f) => Object.keys(f).length > 0 && Object.keys(f).length <= 200, 'between 1 and 200 policy files'),
  days: z.number().int().min(1).max(90).default(7),
  limit: z.number().int().min(1).max(10_000).default(2000),
});
const minutesSchema = z.object({ minutes: z.coerce.number().int().min(5).max(7 * 24 * 60).default(60) });
const principalSchema = z.object({ type: z.enum(['User', 'Service', 'Agent']), id: z.string().min(1).max(256) });
const listSchema = z.object({
  principal: z.string().max(300).regex(/::/, 'expected `Type::id`').optional(),
  outcome: z.enum(['allow', 'deny', 'step_up']).optional(),
  resource: z.string().max(600).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  includeConsole: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
const daysSchema = z.object({ days: z.coerce.number().int().min(1).max(90).default(7) });
const trendSchema = z.object({ days: z.coerce.number().int().min(1).max(365).default(30) });

export function consoleOwnRoutes(deps: OwnRouteDeps): ConsoleRoute[] {
  return [
    {
      method: 'GET',
      path: '/overview',
      role: 'auditor',
      area: 'decisions',
      query: ['minutes'],
      handler: async (req) => {
        const { minutes } = validateInput(minutesSchema, req.query);
        const since = new Date(Date.now() - minutes * 60_000);
        // Counted by the store, not read whole: a day can hold thousands of detections.
        const byDetector = await deps.engine.detectionCounts(since.toISOString());
        return {
          body: {
            minutes,
            decisions: await deps.stats.overview(since),
            detections: {
              count: byDetector.reduce((n, d) => n + d.count, 0),
              byDetector,
              guardFindings: byDetector.filter((d) => d.detector.startsWith('guard.')),
              open: await deps.engine.detections({ since: since.toISOString(), limit: 10 }),
            },
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/incidents/overview',
      role: 'auditor',
      area: 'incidents',
      query: ['days'],
      handler: async (req) => {
        const { days } = validateInput(trendSchema, req.query);
        const incidents = deps.incidents ? await deps.incidents.listIncidents() : [];
        return { body: { days, ...incidentOverview(incidents, new Date(Date.now() - days * 86_400_000)) } };
      },
    },
    {
      method: 'GET',
      path: '/decisions',
      role: 'auditor',
      area: 'decisions',
      query: Object.keys(listSchema.shape),
      handler: async (req) => {
        const q = validateInput(listSchema, req.query);
        const iso = (v: string | undefined): string | undefined => (v === undefined ? undefined : new Date(v).toISOString());
        return { body: await deps.stats.list({ ...q, since: iso(q.since), until: iso(q.until) }) };
      },
    },
    {
      method: 'GET',
      path: '/policies/versions/:version',
      role: 'auditor',
      area: 'policies',
      handler: async (req) => {
        const version = Number(req.params.version);
        const bundle = Number.isSafeInteger(version) && version > 0 ? await deps.policies.store.get(version) : undefined;
        if (!bundle) throw new WardenError('not_found', 'no such policy version');
        return { body: { version, files: bundle.files } };
      },
    },
    {
      method: 'GET',
      path: '/decisions/:decisionId/explain',
      role: 'auditor',
      area: 'decisions',
      handler: async (req) => {
        const id = req.params.decisionId!;
        if (id.length > 100) throw new WardenError('validation_failed', '`decisionId`: at most 100 characters');
        return { body: await deps.explainer.explain(id) };
      },
    },
    {
      method: 'GET',
      path: '/principals',
      role: 'auditor',
      area: 'risk',
      handler: async () => {
        const keys = await deps.apiKeys.list();
        const ids = new Map<string, string>();
        for (const p of deps.directory.listPrincipals()) ids.set(p.id, p.kind);
        for (const k of keys) if (!ids.has(k.principal)) ids.set(k.principal, deps.directory.principal(k.principal).kind);
        const items = [...ids].map(([id, kind]) => {
          const p = deps.directory.principal(id, kind as 'User');
          const mine = keys.filter((k) => k.principal === id);
          return { type: p.kind, id, roles: p.roles, groups: p.groups, risk: deps.risk.snapshot({ type: p.kind, id }).score, keys: mine.length, activeKeys: mine.filter((k) => !k.revokedAt).length };
        });
        return { body: { items: items.sort((a, b) => b.risk - a.risk || a.id.localeCompare(b.id)) } };
      },
    },
    {
      method: 'GET',
      path: '/principals/:type/:id/risk-history',
      role: 'auditor',
      area: 'risk',
      query: ['days'],
      handler: async (req) => {
        const p = validateInput(principalSchema, req.params);
        const { days } = validateInput(daysSchema, req.query);
        return { body: { principal: p, hours: await deps.stats.riskOverTime(`${p.type}::${p.id}`, new Date(Date.now() - days * 86_400_000)) } };
      },
    },
    {
      method: 'POST',
      path: '/policies/replay',
      role: 'analyst',
      area: 'policies',
      handler: async (req) => {
        const input = validateInput(replaySchema, req.body);
        const activeVersion = deps.policies.pdp.version;
        const active = activeVersion === undefined ? undefined : await deps.policies.store.get(activeVersion);
        const candidate = new PolicyDecisionPoint(deps.config.policy.engine);
        try {
          candidate.load(0, { files: input.files, schema: active?.schema ?? '', entities: active?.entities ?? [], links: active?.links ?? [] });
        } catch (error) {
          if (error instanceof BundleError) throw new WardenError('policy_invalid', error.message, { details: { problems: error.problems } });
          throw error;
        }
        const result = await replay(deps, candidate, activeVersion === undefined ? undefined : deps.policies.pdp, input.days, input.limit);
        return { body: { days: input.days, ...result } };
      },
    },
    { method: 'GET', path: '/audit/verification', role: 'auditor', area: 'audit', handler: () => ({ body: deps.verification.status() }) },
    { method: 'POST', path: '/audit/verification', role: 'analyst', area: 'audit', handler: async () => ({ status: 202, body: await deps.verification.start() }) },
    {
      method: 'GET',
      path: '/compliance',
      role: 'auditor',
      area: 'audit',
      handler: async () => {
        const assets = await deps.integrity.registry.list();
        const keys = await deps.apiKeys.list();
        const cp = await deps.audit.latestCheckpoint();
        return {
          body: complianceReport({
            config: deps.config,
            policyVersion: deps.policies.pdp.version ?? null,
            policyVersions: (await deps.policies.store.list()).length,
            auditSize: await deps.audit.size(),
            latestCheckpoint: cp ? { size: cp.size, time: cp.time } : null,
            decisions24h: await deps.stats.totals(new Date(Date.now() - 86_400_000)),
            detections30d: (await deps.engine.detectionCounts(new Date(Date.now() - 30 * 86_400_000).toISOString())).reduce((n, d) => n + d.count, 0),
            assets: { total: assets.length, verified: assets.filter((a) => a.verified).length, suspect: assets.filter((a) => a.suspect).length },
            apiKeys: { active: keys.filter((k) => !k.revokedAt).length, revoked: keys.filter((k) => k.revokedAt).length },
          }),
        };
      },
    },
  ];
}
