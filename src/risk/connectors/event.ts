/** Builders for the Warden events that imported log records become. */
import { randomUUID } from 'node:crypto';
import type { AuthenticationEvent, DecisionEvent, PrincipalRef, EntityRef } from '../../core/index.js';

export interface ImportedAccess {
  system: string;
  id?: string | undefined;
  time: string;
  principal: PrincipalRef;
  action: string;
  resource: EntityRef;
  sourceIp: string;
  userAgent?: string | undefined;
  allowed: boolean;
  status?: number | undefined;
  errorCode?: string | undefined;
  device?: string | undefined;
  credentialId?: string | undefined;
  usage?: DecisionEvent['usage'];
}

/**
 * An access recorded by another system, as a decision event: `route` names the system, `enforced` is
 * true because that system applied its own decision. `credentialId` (an access key id or session id,
 * never a secret) rides along as an extra field for token-anomaly detection.
 */
export function importedDecision(a: ImportedAccess): DecisionEvent {
  const id = a.id ?? randomUUID();
  const event: DecisionEvent & { credentialId?: string } = {
    type: 'decision',
    id: /^[0-9a-f-]{36}$/i.test(id) ? id : randomUUID(),
    time: a.time,
    source: a.system,
    requestId: id,
    decisionId: id,
    principal: a.principal,
    action: a.action,
    resource: a.resource,
    route: `import/${a.system}`,
    method: 'IMPORT',
    path: a.action,
    sourceIp: a.sourceIp,
    outcome: a.allowed ? 'allow' : 'deny',
    enforced: true,
    policyIds: [],
    status: a.status ?? (a.allowed ? 200 : 403),
    latencyMs: { total: 0 },
    ...(a.userAgent ? { userAgent: a.userAgent } : {}),
    ...(a.errorCode ? { errorCode: a.errorCode } : {}),
    ...(a.device ? { device: { id: a.device } } : {}),
    ...(a.usage ? { usage: a.usage } : {}),
    ...(a.credentialId ? { credentialId: a.credentialId } : {}),
  };
  return event;
}

export function importedAuthentication(
  a: Omit<AuthenticationEvent, 'type' | 'id' | 'method'> & { id?: string | undefined; method?: AuthenticationEvent['method'] },
): AuthenticationEvent {
  const id = a.id && /^[0-9a-f-]{36}$/i.test(a.id) ? a.id : randomUUID();
  return { ...a, type: 'authentication', id, method: a.method ?? 'none' };
}
