/**
 * Elastic Common Schema (ECS 8.x) JSON documents. The log position is `event.sequence` and the leaf hash
 * `event.hash` (ECS: "hash of raw field to be able to demonstrate log integrity"); both are repeated under
 * `warden.log` together with the Warden event type.
 *
 * @example
 * ```ts
 * const doc = toEcs(record, defaultFormatContext());
 * doc['@timestamp']; // the event's ISO time
 * ```
 */
import { WARDEN_PRODUCT, eventSeverity, eventSubject, eventSummary, type ExportRecord, type FormatContext } from './context.js';
import type { Severity } from '../../core/index.js';

export const ECS_VERSION = '8.11.0';

const SEVERITY_NUM: Record<Severity, number> = { info: 1, low: 21, medium: 47, high: 73, critical: 99 };

function categorize(record: ExportRecord): { kind: string; category: string[]; type: string[]; action: string; outcome?: string } {
  const e = record.event;
  switch (e.type) {
    case 'authentication':
      return { kind: 'event', category: ['authentication'], type: ['start'], action: `${e.method}-authentication`, outcome: e.outcome };
    case 'decision':
      return { kind: 'event', category: ['iam', 'web'], type: [e.outcome === 'allow' ? 'allowed' : 'denied', 'access'], action: e.action, outcome: e.outcome === 'allow' ? 'success' : 'failure' };
    case 'detection':
      return { kind: 'alert', category: ['intrusion_detection'], type: ['indicator'], action: e.detector };
    case 'risk':
      return { kind: e.threshold !== undefined ? 'alert' : 'metric', category: ['threat'], type: ['indicator'], action: 'risk-score-change' };
    case 'response':
      return { kind: 'event', category: ['iam'], type: ['change'], action: e.action, outcome: 'success' };
    case 'admin':
      return { kind: 'event', category: ['configuration', 'iam'], type: ['change', 'admin'], action: e.operation, outcome: e.outcome };
    case 'asset':
      return { kind: e.change === 'tampered' ? 'alert' : 'event', category: ['file'], type: [e.change === 'registered' ? 'creation' : e.change === 'verified' ? 'access' : 'change'], action: e.change, outcome: e.change === 'tampered' || e.change === 'verification_failed' ? 'failure' : 'success' };
  }
}

/** Maps one log record to one ECS document. Pure. */
export function toEcs(record: ExportRecord, ctx: FormatContext): Record<string, unknown> {
  const e = record.event;
  const c = categorize(record);
  const severity = eventSeverity(record);
  const subject = eventSubject(record);
  const doc: Record<string, unknown> = {
    '@timestamp': e.time,
    ecs: { version: ECS_VERSION },
    message: eventSummary(record),
    event: {
      id: e.id,
      kind: c.kind,
      category: c.category,
      type: c.type,
      action: c.action,
      ...(c.outcome ? { outcome: c.outcome } : {}),
      severity: SEVERITY_NUM[severity],
      sequence: record.index,
      hash: record.leafHash,
      dataset: `warden.${e.type}`,
      module: 'warden',
      provider: e.source ?? ctx.instance,
    },
    observer: { vendor: WARDEN_PRODUCT.vendor, product: WARDEN_PRODUCT.name, version: WARDEN_PRODUCT.version, hostname: ctx.instance, type: 'gateway' },
    warden: { log: { index: record.index, leaf_hash: record.leafHash }, event_type: e.type },
  };
  if (subject) doc.user = { id: subject.id, name: subject.id, domain: subject.type };
  switch (e.type) {
    case 'decision':
      Object.assign(doc, {
        source: { ip: e.sourceIp },
        http: { request: { method: e.method.toUpperCase(), id: e.requestId }, response: { status_code: e.status } },
        url: { path: e.path },
        ...(e.userAgent ? { user_agent: { original: e.userAgent } } : {}),
        rule: { id: e.policyIds.join(','), ruleset: 'cedar' },
        trace: { id: e.requestId },
      });
      (doc.warden as Record<string, unknown>).decision = { outcome: e.outcome, enforced: e.enforced, decision_id: e.decisionId, route: e.route, resource: e.resource, latency_ms: e.latencyMs, ...(e.model ? { model: e.model } : {}), ...(e.risk !== undefined ? { risk: e.risk } : {}) };
      if (e.principal?.groups?.length) (doc.user as Record<string, unknown>).group = { name: e.principal.groups.join(',') };
      break;
    case 'authentication':
      Object.assign(doc, { source: { ip: e.sourceIp, ...(e.origin?.country ? { geo: { country_iso_code: e.origin.country } } : {}), ...(e.origin?.asn ? { as: { number: e.origin.asn } } : {}) }, ...(e.userAgent ? { user_agent: { original: e.userAgent } } : {}) });
      (doc.warden as Record<string, unknown>).authentication = { method: e.method, ...(e.mfa !== undefined ? { mfa: e.mfa } : {}), ...(e.reason ? { reason: e.reason } : {}), ...(e.credentialId ? { credential_id: e.credentialId } : {}) };
      break;
    case 'detection':
      Object.assign(doc, { rule: { name: e.detector, category: e.category }, ...(e.requestId ? { trace: { id: e.requestId } } : {}) });
      (doc.event as Record<string, unknown>).risk_score = e.score <= 1 ? e.score * 100 : e.score;
      (doc.event as Record<string, unknown>).reason = e.explanation;
      break;
    case 'risk':
      (doc.event as Record<string, unknown>).risk_score = e.score;
      (doc.warden as Record<string, unknown>).risk = { previous: e.previous, score: e.score, ...(e.threshold !== undefined ? { threshold: e.threshold } : {}), factors: e.factors };
      break;
    case 'asset':
      Object.assign(doc, { file: { path: e.assetId, name: e.assetId.split('/').pop() } });
      break;
    case 'response':
      (doc.event as Record<string, unknown>).reason = e.reason;
      break;
    case 'admin':
      if (e.target) (doc.warden as Record<string, unknown>).target = e.target;
      break;
  }
  return doc;
}
