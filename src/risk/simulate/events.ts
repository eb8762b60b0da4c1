/** Builders for the gateway-shaped events the simulator emits. */
import type { AuthenticationEvent, DecisionEvent, DetectionEvent, PrincipalRef } from '../../core/index.js';
import type { Random } from './random.js';

export interface Actor {
  principal: PrincipalRef;
  ip: string;
  device?: string | undefined;
  userAgent?: string | undefined;
  session?: string | undefined;
  onBehalfOf?: PrincipalRef | undefined;
}

let counter = 0;
function nextId(rng: Random): string {
  counter = (counter + 1) >>> 0;
  const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0').slice(-w);
  return `${hex(Math.floor(rng.next() * 0xffffffff), 8)}-${hex(counter & 0xffff, 4)}-4${hex(Math.floor(rng.next() * 0xfff), 3)}-8${hex(Math.floor(rng.next() * 0xfff), 3)}-${hex(Math.floor(rng.next() * 0xffffffff), 8)}${hex(counter >>> 16, 4)}`;
}

export function authEvent(rng: Random, t: number, a: Actor, success: boolean): AuthenticationEvent {
  return {
    type: 'authentication',
    id: nextId(rng),
    time: new Date(t).toISOString(),
    method: a.principal.type === 'User' ? 'jwt' : 'apikey',
    outcome: success ? 'success' : 'failure',
    principal: a.principal,
    sourceIp: a.ip,
    ...(a.device ? { device: a.device } : {}),
    ...(a.userAgent ? { userAgent: a.userAgent } : {}),
    ...(a.session ? { credentialId: a.session } : {}),
    ...(success ? {} : { reason: 'invalid_credentials' }),
  };
}

export interface AccessSpec {
  action: string;
  resource: string;
  requestBytes?: number;
  responseBytes?: number;
  tokens?: number;
}

export function accessEvent(rng: Random, t: number, a: Actor, spec: AccessSpec): DecisionEvent & { sessionId?: string } {
  const [type, id] = spec.resource.split(':') as [string, string];
  const requestId = nextId(rng);
  return {
    type: 'decision',
    id: requestId,
    time: new Date(t).toISOString(),
    requestId,
    decisionId: requestId,
    principal: a.onBehalfOf ?? a.principal,
    ...(a.onBehalfOf ? { delegation: { actor: a.principal, onBehalfOf: a.onBehalfOf } } : {}),
    ...(a.device ? { device: { id: a.device } } : {}),
    authMethod: 'jwt',
    action: spec.action,
    resource: { type, id },
    route: type === 'Model' ? 'chat' : 'data',
    method: 'POST',
    path: type === 'Model' ? '/v1/chat/completions' : `/data/${id}`,
    sourceIp: a.ip,
    ...(a.userAgent ? { userAgent: a.userAgent } : {}),
    outcome: 'allow',
    enforced: true,
    policyIds: ['default'],
    status: 200,
    usage: {
      requestBytes: spec.requestBytes ?? 0,
      responseBytes: spec.responseBytes ?? 0,
      ...(spec.tokens ? { promptTokens: Math.round(spec.tokens * 0.7), completionTokens: Math.round(spec.tokens * 0.3) } : {}),
    },
    latencyMs: { total: 5 },
    ...(a.session ? { sessionId: a.session } : {}),
  };
}

export function guardEvent(rng: Random, t: number, principal: PrincipalRef, requestId: string): DetectionEvent {
  return {
    type: 'detection',
    id: nextId(rng),
    time: new Date(t).toISOString(),
    detector: 'guard.injection',
    category: 'guard',
    entity: { type: principal.type, id: principal.id },
    score: 0.9,
    severity: 'high',
    explanation: 'prompt-injection classifier flagged the user message',
    requestId,
  };
}
