/**
 * Microsoft Entra ID sign-in and audit logs -> Warden events. Accepts the Microsoft Graph resources
 * (`signIn`, `directoryAudit`) and the diagnostic-settings export (`{time, category, properties}`).
 * Sign-ins keep Entra's own location (city, country, coordinates) and ASN when present.
 */
import type { WardenEvent } from '../../core/index.js';
import { ipOrEmpty, isoTime, num, obj, path, required, str, type Obj } from './fields.js';
import { importedAuthentication, importedDecision } from './event.js';

function signIn(p: Obj, fallbackTime: unknown): WardenEvent {
  const time = isoTime(p.createdDateTime ?? fallbackTime, 'createdDateTime');
  const upn = required(p.userPrincipalName ?? p.userId ?? p.servicePrincipalName, 'userPrincipalName');
  const isService = p.userPrincipalName === undefined && p.servicePrincipalName !== undefined;
  const errorCode = num(path(p, 'status', 'errorCode'));
  if (errorCode === undefined) throw new Error('missing `status.errorCode`');
  const country = str(path(p, 'location', 'countryOrRegion'));
  const city = str(path(p, 'location', 'city'));
  const lat = num(path(p, 'location', 'geoCoordinates', 'latitude'));
  const lon = num(path(p, 'location', 'geoCoordinates', 'longitude'));
  const asn = num(p.autonomousSystemNumber);
  const device = str(path(p, 'deviceDetail', 'deviceId'));
  const userAgent = str(p.userAgent) ?? str(path(p, 'deviceDetail', 'browser'));
  const session = str(p.sessionId) ?? str(p.uniqueTokenIdentifier) ?? str(p.correlationId);
  const mfa = str(p.authenticationRequirement) === 'multiFactorAuthentication';
  return importedAuthentication({
    id: str(p.id),
    time,
    source: 'entra',
    outcome: errorCode === 0 ? 'success' : 'failure',
    principal: { type: isService ? 'Service' : 'User', id: upn.toLowerCase() },
    sourceIp: ipOrEmpty(p.ipAddress),
    ...(userAgent ? { userAgent } : {}),
    ...(device ? { device } : {}),
    ...(session ? { credentialId: session } : {}),
    ...(errorCode === 0 ? {} : { reason: `entra_${errorCode}` }),
    mfa,
    origin: {
      system: 'entra',
      ...(country ? { country } : {}),
      ...(city ? { city } : {}),
      ...(lat !== undefined && lon !== undefined && (lat !== 0 || lon !== 0) ? { lat, lon } : {}),
      ...(asn !== undefined ? { asn } : {}),
    },
  });
}

function audit(p: Obj, fallbackTime: unknown): WardenEvent {
  const time = isoTime(p.activityDateTime ?? fallbackTime, 'activityDateTime');
  const activity = required(p.activityDisplayName, 'activityDisplayName');
  const user = obj(path(p, 'initiatedBy', 'user'));
  const app = obj(path(p, 'initiatedBy', 'app'));
  const principal = user
    ? { type: 'User', id: required(user.userPrincipalName ?? user.id, 'initiatedBy.user.userPrincipalName').toLowerCase() }
    : { type: 'Service', id: required(app?.displayName ?? app?.servicePrincipalId, 'initiatedBy.app.displayName') };
  const target = Array.isArray(p.targetResources) ? obj(p.targetResources[0]) : undefined;
  const resource = target
    ? { type: `Entra${str(target.type) ?? 'Object'}`, id: str(target.id) ?? str(target.displayName) ?? str(target.userPrincipalName) ?? 'unknown' }
    : { type: 'EntraDirectory', id: str(p.category) ?? 'directory' };
  const result = str(p.result) ?? 'success';
  return importedDecision({
    system: 'entra',
    id: str(p.id),
    time,
    principal,
    action: `entra:${activity}`,
    resource,
    sourceIp: ipOrEmpty(user?.ipAddress),
    allowed: result === 'success',
    errorCode: result === 'success' ? undefined : str(p.resultReason) ?? result,
  });
}

export function parseEntra(record: unknown): WardenEvent[] {
  const r = obj(record);
  if (!r) throw new Error('record is not a JSON object');
  const props = obj(r.properties);
  const p = props && (r.category !== undefined || r.operationName !== undefined) ? props : r;
  const category = str(r.category) ?? '';
  if (p.activityDisplayName !== undefined || category === 'AuditLogs') return [audit(p, r.time)];
  if (p.status !== undefined || /SignInLogs$/.test(category)) return [signIn(p, r.time)];
  throw new Error('neither a sign-in (`status`) nor an audit record (`activityDisplayName`)');
}
