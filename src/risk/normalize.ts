/** Turns decision and authentication events into the one `Activity` shape the detectors read. */
import type { AuthenticationEvent, DecisionEvent } from '../core/events.js';
import type { Activity } from './types.js';

const WRITE = /^(write|put|update|delete|create|upload|modify|edit|patch|replace|append|copy|restore|train|finetune|fine_tune)/i;
const READ = /^(get|read|download|export|select)/i;

/** `s3:PutObject` -> `PutObject`; `Action::"write"` -> `write`. */
export function actionVerb(action: string): string {
  const afterColon = action.slice(Math.max(action.lastIndexOf(':'), action.lastIndexOf('/')) + 1);
  return afterColon.replaceAll('"', '');
}

const verbs = new Map<string, number>();
/** 1 = write, 2 = read, 0 = other; cached per action name (the set of actions is small). */
function verbClass(action: string): number {
  let c = verbs.get(action);
  if (c === undefined) {
    const verb = actionVerb(action);
    c = WRITE.test(verb) ? 1 : READ.test(verb) ? 2 : 0;
    if (verbs.size < 10_000) verbs.set(action, c);
  }
  return c;
}

export function isWriteAction(action: string): boolean {
  return verbClass(action) === 1;
}

/** Reduces a user agent to its client family (browser or tool), stable across versions. */
const families = new Map<string, string>();
export function clientFamily(ua: string | undefined): string | undefined {
  if (!ua) return undefined;
  let f = families.get(ua);
  if (f === undefined) {
    f = family(ua);
    if (families.size < 10_000) families.set(ua, f);
  }
  return f;
}

function family(ua: string): string {
  if (ua.includes('Edg/')) return 'Edge';
  if (ua.includes('OPR/')) return 'Opera';
  if (ua.includes('Firefox/')) return 'Firefox';
  if (ua.includes('Chrome/')) return 'Chrome';
  if (ua.includes('Safari/')) return 'Safari';
  const m = /^([A-Za-z][\w.-]*)/.exec(ua);
  return m ? m[1]!.toLowerCase() : ua.slice(0, 32);
}

function extra(event: object, name: string): string | undefined {
  const v = (event as Record<string, unknown>)[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function fromDecision(event: DecisionEvent, t: number, assetTypes: ReadonlySet<string>): Activity | null {
  const actor = event.delegation?.actor ?? event.principal;
  if (!actor) return null;
  const resourceType = event.resource.type;
  const isAsset = assetTypes.has(resourceType);
  const verb = verbClass(event.action);
  const write = verb === 1;
  const u = event.usage;
  return {
    t,
    key: `${actor.type}:${actor.id}`,
    principal: { type: actor.type, id: actor.id },
    group: actor.groups?.[0] ?? actor.type,
    kind: 'access',
    success: event.outcome === 'allow' && event.status < 400,
    system: event.source ?? 'warden',
    sourceIp: event.sourceIp || undefined,
    device: event.device?.id,
    client: clientFamily(event.userAgent),
    action: event.action,
    resource: `${resourceType}:${event.resource.id}`,
    resourceType,
    write,
    requests: 1,
    bytes: (u?.requestBytes ?? 0) + (u?.responseBytes ?? 0),
    tokens: (u?.promptTokens ?? 0) + (u?.completionTokens ?? 0),
    downloads: isAsset && verb === 2 ? 1 : 0,
    credentialId: extra(event, 'sessionId') ?? extra(event, 'credentialId'),
    requestId: event.requestId,
    target: event.target,
  };
}

export function fromAuthentication(event: AuthenticationEvent, t: number): Activity | null {
  const p = event.principal;
  if (!p) return null;
  return {
    t,
    key: `${p.type}:${p.id}`,
    principal: { type: p.type, id: p.id },
    group: p.groups?.[0] ?? p.type,
    kind: 'auth',
    success: event.outcome === 'success',
    system: event.origin?.system ?? event.source ?? 'warden',
    sourceIp: event.sourceIp || undefined,
    device: event.device,
    client: clientFamily(event.userAgent),
    origin: event.origin,
    write: false,
    requests: 0,
    bytes: 0,
    tokens: 0,
    downloads: 0,
    credentialId: event.credentialId,
    reason: event.reason,
  };
}

/** Where a sign-in came from: the address, else the host name an imported log gave. */
export function sourceOfAuthentication(event: AuthenticationEvent): string | undefined {
  return event.sourceIp || event.origin?.host || undefined;
}
