/** Builds the Cedar request context that Warden's schema declares (demo/schema.cedarschema `Context`). */
import type { Identity, RiskSnapshot } from '../core/index.js';
import type { CedarValueJson } from './engine/types.js';
import { ipValue, toCedarRecord, uid } from './entities.js';

export interface GuardFacts {
  injectionScore: number;
  flagged: boolean;
  piiTypes: string[];
  secretTypes: string[];
}

/** One limit counter as policies see it (the tightest rule of its unit). */
export interface LimitCounterFacts {
  rule: string;
  limit: number;
  used: number;
  remaining: number;
}

/** The caller's limits after this request was counted (see src/limits): present when a rule applies. */
export interface LimitFacts {
  /** The lowest share (0..100) left of any applicable limit. */
  remainingPercent: number;
  /** The rule with that share. */
  tightest: string;
  requests?: LimitCounterFacts;
  tokens?: LimitCounterFacts;
}

/** What automated response actions in force say about the caller (src/response). */
export interface ResponseContextFacts {
  /** `context.response`, present only while an action concerns the principal. */
  response?: { quarantined: boolean; stepUpRequired: boolean; stepUpSince: number };
  /** The caller's device is isolated: it counts as non-compliant. */
  deviceIsolated?: boolean;
}

export interface ContextFacts extends ResponseContextFacts {
  now: Date;
  sourceIp: string;
  identity: Identity;
  risk: RiskSnapshot;
  request: { model?: string; bytes: number; stream: boolean; method: string; path: string };
  guard?: GuardFacts;
  limits?: LimitFacts;
  /** Caller-supplied extra context (from /v1/authorize), merged last under its own keys. */
  extra?: Record<string, unknown>;
}

export function buildContext(facts: ContextFacts): Record<string, CedarValueJson> {
  const { identity } = facts;
  const device = identity.device;
  const authn = identity.authentication;
  const context: Record<string, CedarValueJson> = {
    time: {
      epochSeconds: Math.floor(facts.now.getTime() / 1000),
      hourUtc: facts.now.getUTCHours(),
      weekdayUtc: facts.now.getUTCDay(),
    },
    ip: ipValue(normaliseIp(facts.sourceIp)),
    authn: {
      method: authn.method,
      strength: authn.strength,
      mfa: authn.mfa,
      // The credential's scopes: an API key's Warden scopes, a token's `scope`/`scp`, `*` for mTLS.
      scopes: authn.scopes.slice(0, 100),
      ...(authn.ageSeconds !== undefined ? { ageSeconds: authn.ageSeconds } : {}),
      ...(authn.assurance !== undefined ? { assurance: authn.assurance } : {}),
    },
    device: {
      present: device !== undefined,
      id: device?.id ?? '',
      managed: device?.managed ?? false,
      compliant: (device?.compliant ?? false) && facts.deviceIsolated !== true,
      osPatched: device?.osPatched ?? false,
      diskEncrypted: device?.diskEncrypted ?? false,
      // How the device was proven; "none" when no device was (a claimed one is not believed).
      proof: device?.proof ?? 'none',
      // Where each fact came from (src/signals): "config", "report", "webhook:<name>", "ssf:<issuer>", "stale:<source>", "none".
      sources: {
        managed: device?.sources?.managed ?? 'none',
        compliant: device?.sources?.compliant ?? 'none',
        osPatched: device?.sources?.osPatched ?? 'none',
        diskEncrypted: device?.sources?.diskEncrypted ?? 'none',
      },
    },
    risk: { score: Math.round(Math.min(100, Math.max(0, facts.risk.score))), factors: facts.risk.factors.map((f) => f.name) },
    delegation: identity.delegation
      ? { present: true, onBehalfOf: { __entity: uid(identity.delegation.onBehalfOf.kind, identity.delegation.onBehalfOf.id) as { type: string; id: string } } }
      : { present: false },
    request: {
      ...(facts.request.model !== undefined ? { model: facts.request.model } : {}),
      bytes: facts.request.bytes,
      stream: facts.request.stream,
      method: facts.request.method,
      path: facts.request.path,
    },
  };
  if (facts.guard) {
    context.guard = {
      injectionScore: Math.round(facts.guard.injectionScore),
      flagged: facts.guard.flagged,
      piiTypes: facts.guard.piiTypes,
      secretTypes: facts.guard.secretTypes,
    };
  }
  if (facts.limits) {
    const { requests, tokens } = facts.limits;
    context.limits = {
      remainingPercent: facts.limits.remainingPercent,
      tightest: facts.limits.tightest,
      ...(requests ? { requests: { ...requests } } : {}),
      ...(tokens ? { tokens: { ...tokens } } : {}),
    };
  }
  if (facts.response) context.response = { ...facts.response };
  if (identity.elevations?.length) {
    // Just-in-time roles (src/access): present only inside an approved window, gone when it ends.
    context.elevation = {
      roles: [...new Set(identity.elevations.map((g) => g.role))],
      requests: identity.elevations.map((g) => g.requestId),
      untilEpochSeconds: Math.floor(Math.min(...identity.elevations.map((g) => Date.parse(g.until))) / 1000),
    };
  }
  if (facts.extra) {
    // defined, not assigned: an extra key named `__proto__` must stay a key, not replace the prototype
    for (const [k, v] of Object.entries(toCedarRecord(facts.extra, 'context'))) {
      // `response` and `elevation` are Warden's own facts: a caller cannot claim (or clear) them.
      if (k === 'response' || k === 'elevation') continue;
      Object.defineProperty(context, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return context;
}

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) becomes `1.2.3.4`; anything unparsable becomes `0.0.0.0`. */
export function normaliseIp(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (/^[0-9a-fA-F:.]+$/.test(ip) && ip.length <= 45) return ip;
  return '0.0.0.0';
}
