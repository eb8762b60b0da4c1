/**
 * OCSF 1.5 JSON. One Warden event becomes one OCSF event of the class that fits it:
 *
 * | Warden event                                   | OCSF class                   |
 * |------------------------------------------------|------------------------------|
 * | authentication                                 | 3002 Authentication          |
 * | decision                                       | 6003 API Activity            |
 * | admin (role/group/privilege operations)        | 3003 Authorize Session       |
 * | admin (other operations)                       | 6003 API Activity            |
 * | detection, risk                                | 2004 Detection Finding       |
 * | response `incident.*`                          | 2005 Incident Finding        |
 * | response (actions: quarantine, revoke, undo...) | 7001 Remediation Activity    |
 * | asset                                          | 1001 File System Activity    |
 *
 * The log position is `metadata.sequence` and, with the leaf hash, `unmapped.warden.log_index` /
 * `unmapped.warden.leaf_hash`, so a SIEM's copy can be checked against the log.
 *
 * @example
 * ```ts
 * const ocsf = toOcsf({ index: 7, leafHash: 'ab..', event }, defaultFormatContext());
 * ocsf.class_uid; // 3002 for an authentication event
 * ```
 */
import { basename } from 'node:path';
import { isIP } from 'node:net';
import type { EntityRef, AdminEvent, AssetEvent, AuthenticationEvent, DecisionEvent, DetectionEvent, PrincipalRef, ResponseEvent, RiskEvent, Severity } from '../../core/index.js';
import { WARDEN_PRODUCT, epochMs, eventSeverity, eventSummary, type ExportRecord, type FormatContext } from './context.js';

export const OCSF_VERSION = '1.5.0';

export type OcsfEvent = Record<string, unknown> & { class_uid: number; activity_id: number; type_uid: number; metadata: Record<string, unknown> };

const CLASSES = {
  file_activity: { uid: 1001, name: 'File System Activity', category: 1, categoryName: 'System Activity' },
  detection_finding: { uid: 2004, name: 'Detection Finding', category: 2, categoryName: 'Findings' },
  incident_finding: { uid: 2005, name: 'Incident Finding', category: 2, categoryName: 'Findings' },
  authentication: { uid: 3002, name: 'Authentication', category: 3, categoryName: 'Identity & Access Management' },
  authorize_session: { uid: 3003, name: 'Authorize Session', category: 3, categoryName: 'Identity & Access Management' },
  api_activity: { uid: 6003, name: 'API Activity', category: 6, categoryName: 'Application Activity' },
  remediation_activity: { uid: 7001, name: 'Remediation Activity', category: 7, categoryName: 'Remediation' },
} as const;
type OcsfClass = (typeof CLASSES)[keyof typeof CLASSES];

const SEVERITY_ID: Record<Severity, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME = ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical', 'Fatal'];
const STATUS = { success: [1, 'Success'], failure: [2, 'Failure'] } as const;

function base(record: ExportRecord, ctx: FormatContext, cls: OcsfClass, activity: [number, string], extra: Record<string, unknown>): OcsfEvent {
  const e = record.event;
  const severityId = SEVERITY_ID[eventSeverity(record)];
  return {
    activity_id: activity[0],
    activity_name: activity[1],
    category_uid: cls.category,
    category_name: cls.categoryName,
    class_uid: cls.uid,
    class_name: cls.name,
    type_uid: cls.uid * 100 + activity[0],
    type_name: `${cls.name}: ${activity[1]}`,
    severity_id: severityId,
    severity: SEVERITY_NAME[severityId],
    time: epochMs(e.time),
    message: eventSummary(record),
    metadata: {
      version: OCSF_VERSION,
      product: { name: WARDEN_PRODUCT.name, vendor_name: WARDEN_PRODUCT.vendor, version: WARDEN_PRODUCT.version },
      uid: e.id,
      sequence: record.index,
      log_name: 'audit',
      log_provider: e.source ?? ctx.instance,
      original_time: e.time,
      ...('requestId' in e && e.requestId ? { correlation_uid: e.requestId } : {}),
    },
    unmapped: { warden: { log_index: record.index, leaf_hash: record.leafHash, event_type: e.type } },
    ...extra,
  };
}

function user(ref: PrincipalRef | EntityRef): Record<string, unknown> {
  const kind = ref.type.split('::').pop() ?? ref.type;
  const groups = 'groups' in ref && ref.groups?.length ? { groups: ref.groups.map((g) => ({ name: g, uid: g })) } : {};
  return { uid: ref.id, name: ref.id, type: kind, type_id: kind === 'User' ? 1 : 99, ...groups };
}

function endpoint(ip: string | undefined): Record<string, unknown> {
  if (ip && isIP(ip)) return { ip };
  return { name: ip || 'unknown' };
}

const WARDEN_SERVICE = { name: 'warden' };

function authentication(r: ExportRecord, e: AuthenticationEvent, ctx: FormatContext): OcsfEvent {
  const [statusId, status] = STATUS[e.outcome];
  const protocol: Record<AuthenticationEvent['method'], [number, string]> = {
    jwt: [6, 'OAUTH 2.0'],
    apikey: [99, 'API key'],
    mtls: [99, 'mTLS'],
    none: [0, 'Unknown'],
  };
  return base(r, ctx, CLASSES.authentication, [1, 'Logon'], {
    status_id: statusId,
    status,
    ...(e.reason ? { status_detail: e.reason } : {}),
    user: e.principal ? user(e.principal) : { name: 'unknown', type_id: 0, type: 'Unknown' },
    auth_protocol_id: protocol[e.method][0],
    auth_protocol: protocol[e.method][1],
    is_mfa: e.mfa ?? false,
    is_remote: true,
    service: WARDEN_SERVICE,
    src_endpoint: {
      ...endpoint(e.sourceIp),
      ...(e.origin?.country || e.origin?.city ? { location: { ...(e.origin.country ? { country: e.origin.country } : {}), ...(e.origin.city ? { city: e.origin.city } : {}) } } : {}),
    },
    ...(e.userAgent ? { http_request: { user_agent: e.userAgent } } : {}),
    ...(e.credentialId ? { session: { credential_uid: e.credentialId } } : {}),
  });
}

function apiActivity(method: string): [number, string] {
  switch (method.toUpperCase()) {
    case 'POST':
      return [1, 'Create'];
    case 'GET':
    case 'HEAD':
      return [2, 'Read'];
    case 'PUT':
    case 'PATCH':
      return [3, 'Update'];
    case 'DELETE':
      return [4, 'Delete'];
    default:
      return [99, 'Other'];
  }
}

function decision(r: ExportRecord, e: DecisionEvent, ctx: FormatContext): OcsfEvent {
  const [statusId, status] = e.outcome === 'allow' ? STATUS.success : STATUS.failure;
  return base(r, ctx, CLASSES.api_activity, apiActivity(e.method), {
    status_id: statusId,
    status,
    status_code: String(e.status),
    status_detail: `${e.outcome}${e.enforced ? '' : ' (monitor only)'}${e.errorCode ? `: ${e.errorCode}` : ''}`,
    actor: {
      user: e.principal ? user(e.principal) : { name: 'anonymous', type_id: 0, type: 'Unknown' },
      ...(e.delegation ? { invoked_by: `${e.delegation.actor.type}::${e.delegation.actor.id}` } : {}),
      app_name: 'warden',
      authorizations: [{ decision: e.outcome, ...(e.policyIds.length ? { policy: { uid: e.policyIds.join(','), name: e.policyIds.join(',') } } : {}) }],
    },
    api: { operation: e.action, service: { name: e.route }, request: { uid: e.requestId } },
    src_endpoint: endpoint(e.sourceIp),
    http_request: {
      http_method: e.method.toUpperCase(),
      url: { path: e.path, url_string: e.path },
      ...(e.userAgent ? { user_agent: e.userAgent } : {}),
      ...(e.usage?.requestBytes !== undefined ? { length: e.usage.requestBytes } : {}),
    },
    http_response: { code: e.status, ...(e.usage?.responseBytes !== undefined ? { length: e.usage.responseBytes } : {}) },
    resources: [{ uid: e.resource.id, type: e.resource.type, name: e.resource.id }],
    duration: Math.round(e.latencyMs.total),
  });
}

const SESSION_OPS = /(role|group|privilege|grant|permission)/i;

function admin(r: ExportRecord, e: AdminEvent, ctx: FormatContext): OcsfEvent {
  const [statusId, status] = STATUS[e.outcome];
  const actorUser = user(e.actor);
  if (SESSION_OPS.test(e.operation)) {
    const details = e.details ?? {};
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
    const roles = list(details.roles ?? details.role);
    const groups = list(details.groups ?? details.group);
    const privileges = list(details.privileges ?? details.privilege);
    return base(r, ctx, CLASSES.authorize_session, roles.length ? [3, 'Assign Roles'] : groups.length ? [2, 'Assign Groups'] : [1, 'Assign Privileges'], {
      status_id: statusId,
      status,
      user: e.target ? { uid: e.target, name: e.target, type_id: 0, type: 'Unknown' } : actorUser,
      actor: { user: actorUser },
      privileges: privileges.length || roles.length || groups.length ? privileges : [e.operation],
      ...(roles.length ? { iam_roles: roles.map((name) => ({ name })) } : {}),
      ...(groups.length ? { groups: groups.map((name) => ({ name })) } : {}),
    });
  }
  return base(r, ctx, CLASSES.api_activity, [99, 'Other'], {
    status_id: statusId,
    status,
    actor: { user: actorUser, app_name: 'warden-admin' },
    api: { operation: e.operation, service: { name: 'warden-admin' } },
    src_endpoint: { name: 'admin-api' },
    ...(e.target ? { resources: [{ uid: e.target, name: e.target }] } : {}),
  });
}

function finding(r: ExportRecord, ctx: FormatContext, info: Record<string, unknown>, extra: Record<string, unknown>): OcsfEvent {
  return base(r, ctx, CLASSES.detection_finding, [1, 'Create'], {
    status_id: 1,
    status: 'New',
    is_alert: true,
    finding_info: { uid: r.event.id, created_time: epochMs(r.event.time), ...info },
    ...extra,
  });
}

function detection(r: ExportRecord, e: DetectionEvent, ctx: FormatContext): OcsfEvent {
  // `score` is 0..1 confidence or 0..100 contribution: normalise to OCSF's 0..100 confidence_score.
  const score = Math.max(0, Math.min(100, Math.round(e.score <= 1 ? e.score * 100 : e.score)));
  return finding(
    r,
    ctx,
    { title: e.detector, desc: e.explanation, types: [e.category], analytic: { name: e.detector, type_id: 1, type: 'Rule' } },
    {
      confidence_score: score,
      confidence_id: score >= 80 ? 3 : score >= 50 ? 2 : 1,
      confidence: score >= 80 ? 'High' : score >= 50 ? 'Medium' : 'Low',
      resources: [{ uid: e.entity.id, type: e.entity.type, name: e.entity.id }],
      ...(e.details ? { evidences: [{ data: e.details }] } : {}),
    },
  );
}

function risk(r: ExportRecord, e: RiskEvent, ctx: FormatContext): OcsfEvent {
  const crossed = e.threshold !== undefined;
  return finding(
    r,
    ctx,
    { title: crossed ? 'risk threshold crossed' : 'risk score changed', desc: e.factors.map((f) => `${f.name}=${f.weight}`).join(', '), types: ['risk'] },
    { is_alert: crossed, risk_score: Math.round(e.score), resources: [{ uid: e.principal.id, type: e.principal.type, name: e.principal.id }] },
  );
}

function response(r: ExportRecord, e: ResponseEvent, ctx: FormatContext): OcsfEvent {
  if (e.action.startsWith('incident')) {
    const verb = e.action.split(/[._]/)[1] ?? 'create';
    const activity: [number, string] = verb === 'close' ? [3, 'Close'] : verb === 'update' ? [2, 'Update'] : [1, 'Create'];
    const status: [number, string] = verb === 'close' ? [5, 'Closed'] : verb === 'update' ? [2, 'In Progress'] : [1, 'New'];
    const details = e.details ?? {};
    const findings = Array.isArray(details.detections) ? details.detections.map(String) : [];
    return base(r, ctx, CLASSES.incident_finding, activity, {
      status_id: status[0],
      status: status[1],
      desc: e.reason,
      finding_info_list: (findings.length ? findings : [e.id]).map((uid) => ({ uid, title: e.reason })),
      assignee_group: { name: typeof details.assigneeGroup === 'string' ? details.assigneeGroup : 'security' },
      priority_id: 3,
      priority: 'High',
    });
  }
  // A response action is a remediation (D3FEND tactics): its lifting is a Restore; a pending or dry-run
  // action is reported with the status Other, a failed one as Error.
  const details = e.details ?? {};
  const status = typeof details.status === 'string' ? details.status : 'active';
  const lifted = status === 'undone' || status === 'expired';
  const activity: [number, string] = lifted ? [3, 'Restore'] : (REMEDIATION_ACTIVITY[e.action] ?? [99, 'Other']);
  const [statusId, statusName]: [number, string] = status === 'active' || lifted ? [1, 'Success'] : status === 'failed' ? [6, 'Error'] : status === 'rejected' ? [2, 'Failure'] : [99, status === 'dry_run' ? 'Dry run' : 'Pending'];
  return base(r, ctx, CLASSES.remediation_activity, activity, {
    command_uid: typeof details.actionId === 'string' ? details.actionId : e.id,
    status_id: statusId,
    status: statusName,
    actor: { app_name: 'warden-response' },
    status_detail: `${e.action} on ${e.target.type}::${e.target.id}: ${e.reason}`.slice(0, 1000),
  });
}

const REMEDIATION_ACTIVITY: Record<string, [number, string]> = {
  quarantine: [1, 'Isolate'],
  quarantine_asset: [1, 'Isolate'],
  isolate_device: [1, 'Isolate'],
  block_source: [1, 'Isolate'],
  revoke_credentials: [2, 'Evict'],
  require_step_up: [4, 'Harden'],
};

const ASSET_ACTIVITY: Record<AssetEvent['change'], [number, string]> = {
  registered: [1, 'Create'],
  verified: [2, 'Read'],
  verification_failed: [2, 'Read'],
  tampered: [3, 'Update'],
  change_requested: [99, 'Other'],
  change_approved: [6, 'Set Attributes'],
  change_rejected: [99, 'Other'],
  lineage_recorded: [6, 'Set Attributes'],
  marked_suspect: [7, 'Set Security'],
};

function asset(r: ExportRecord, e: AssetEvent, ctx: FormatContext): OcsfEvent {
  const failed = e.change === 'verification_failed' || e.change === 'tampered';
  const digest = typeof e.details?.sha256 === 'string' ? e.details.sha256 : undefined;
  return base(r, ctx, CLASSES.file_activity, ASSET_ACTIVITY[e.change], {
    status_id: failed ? 2 : 1,
    status: failed ? 'Failure' : 'Success',
    status_detail: e.change,
    actor: e.actor ? { user: user(e.actor) } : { app_name: 'warden-integrity' },
    file: {
      name: basename(e.assetId) || e.assetId,
      path: e.assetId,
      type_id: 1,
      type: 'Regular File',
      ...(digest ? { hashes: [{ algorithm_id: 3, algorithm: 'SHA-256', value: digest }] } : {}),
    },
  });
}

/** `actor` is a class attribute of 3002, 6003 and 1001; elsewhere it comes with the Host profile. */
function declareProfiles(event: OcsfEvent): OcsfEvent {
  if (event.actor !== undefined && (event.class_uid === CLASSES.authorize_session.uid || event.class_uid === CLASSES.remediation_activity.uid)) event.metadata.profiles = ['host'];
  return event;
}

/** Maps one log record to one OCSF event. Pure; never throws for a well-typed event. */
export function toOcsf(record: ExportRecord, ctx: FormatContext): OcsfEvent {
  return declareProfiles(mapEvent(record, ctx));
}

function mapEvent(record: ExportRecord, ctx: FormatContext): OcsfEvent {
  const e = record.event;
  switch (e.type) {
    case 'authentication':
      return authentication(record, e, ctx);
    case 'decision':
      return decision(record, e, ctx);
    case 'admin':
      return admin(record, e, ctx);
    case 'detection':
      return detection(record, e, ctx);
    case 'risk':
      return risk(record, e, ctx);
    case 'response':
      return response(record, e, ctx);
    case 'asset':
      return asset(record, e, ctx);
  }
}
