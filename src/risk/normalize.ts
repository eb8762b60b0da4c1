/** Turns decision and authentication events into the one `Activity` shape the detectors read. */
import type { AuthenticationEvent, DecisionEvent, EntityRef } from '../core/index.js';
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

/**
 * One `Type:id` key string and one `{ type, id }` reference per entity, found by type then id: the
 * baselines are maps keyed by `Type:id`, and a key concatenated afresh for every event is a new string
 * that each map lookup must flatten and hash again. Bounded: cleared when it holds `MAX_INTERNED` ids.
 */
interface Interned {
  key: string;
  ref: EntityRef;
}
const MAX_INTERNED = 500_000;
const principalIds = new Map<string, Map<string, Interned>>();
const resourceIds = new Map<string, Map<string, string>>();
let interned = 0;

function byType<V>(maps: Map<string, Map<string, V>>, type: string): Map<string, V> {
  if (interned >= MAX_INTERNED) {
    principalIds.clear();
    resourceIds.clear();
    interned = 0;
  }
  let m = maps.get(type);
  if (!m) maps.set(type, (m = new Map()));
  return m;
}

function principalOf(type: string, id: string): Interned {
  const ids = byType(principalIds, type);
  let p = ids.get(id);
  if (!p) {
    // Frozen: every activity and finding of this principal shares the one reference.
    p = { key: `${type}:${id}`, ref: Object.freeze({ type, id }) };
    ids.set(id, p);
    interned++;
  }
  return p;
}

function resourceKey(type: string, id: string): string {
  const ids = byType(resourceIds, type);
  let k = ids.get(id);
  if (k === undefined) {
    k = `${type}:${id}`;
    ids.set(id, k);
    interned++;
  }
  return k;
}

/** The session or credential an imported access names (extra fields; named loads, not a keyed lookup per event). */
function credentialOf(event: { sessionId?: unknown; credentialId?: unknown }): string | undefined {
  const session = event.sessionId;
  if (typeof session === 'string' && session.length > 0) return session;
  const credential = event.credentialId;
  return typeof credential === 'string' && credential.length > 0 ? credential : undefined;
}

export function fromDecision(event: DecisionEvent, t: number, assetTypes: ReadonlySet<string>): Activity | null {
  const actor = event.delegation?.actor ?? event.principal;
  if (!actor) return null;
  const resourceType = event.resource.type;
  const isAsset = assetTypes.has(resourceType);
  const verb = verbClass(event.action);
  const write = verb === 1;
  const u = event.usage;
  const p = principalOf(actor.type, actor.id);
  return {
    t,
    key: p.key,
    principal: p.ref,
    group: actor.groups?.[0] ?? actor.type,
    kind: 'access',
    success: event.outcome === 'allow' && event.status < 400,
    system: event.source ?? 'warden',
    sourceIp: event.sourceIp || undefined,
    device: event.device?.id,
    client: clientFamily(event.userAgent),
    action: event.action,
    resource: resourceKey(resourceType, event.resource.id),
    resourceType,
    write,
    requests: 1,
    bytes: (u?.requestBytes ?? 0) + (u?.responseBytes ?? 0),
    tokens: (u?.promptTokens ?? 0) + (u?.completionTokens ?? 0),
    downloads: isAsset && verb === 2 ? 1 : 0,
    credentialId: credentialOf(event as { sessionId?: unknown; credentialId?: unknown }),
    requestId: event.requestId,
    target: event.target,
  };
}

export function fromAuthentication(event: AuthenticationEvent, t: number): Activity | null {
  const who = event.principal;
  if (!who) return null;
  const p = principalOf(who.type, who.id);
  return {
    t,
    key: p.key,
    principal: p.ref,
    group: who.groups?.[0] ?? who.type,
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
