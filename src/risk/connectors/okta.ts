/**
 * Okta System Log events -> Warden events. Sign-in event types become authentication events with Okta's
 * geographical context and AS number; other events become decision events on their first target.
 */
import type { WardenEvent } from '../../core/index.js';
import { ipOrEmpty, isoTime, num, obj, path, required, str } from './fields.js';
import { importedAuthentication, importedDecision } from './event.js';

const SIGN_IN = /^(user\.session\.start|user\.authentication\.(sso|auth_via_mfa|authenticate|verify|auth_via_IDP))/;

export function parseOkta(record: unknown): WardenEvent[] {
  const r = obj(record);
  if (!r) throw new Error('record is not a JSON object');
  const time = isoTime(r.published, 'published');
  const eventType = required(r.eventType, 'eventType');
  const actor = obj(r.actor);
  if (!actor) throw new Error('missing `actor`');
  const actorType = str(actor.type) ?? 'User';
  const principal = {
    type: actorType === 'User' ? 'User' : 'Service',
    id: required(actor.alternateId ?? actor.id, 'actor.alternateId').toLowerCase(),
  };
  const result = str(path(r, 'outcome', 'result')) ?? 'UNKNOWN';
  const ok = result === 'SUCCESS' || result === 'ALLOW';
  const sourceIp = ipOrEmpty(path(r, 'client', 'ipAddress'));
  const userAgent = str(path(r, 'client', 'userAgent', 'rawUserAgent'));
  const session = str(path(r, 'authenticationContext', 'externalSessionId'));
  const device = str(path(r, 'debugContext', 'debugData', 'deviceFingerprint')) ?? str(path(r, 'device', 'id'));
  if (SIGN_IN.test(eventType)) {
    const geo = obj(path(r, 'client', 'geographicalContext'));
    const lat = num(path(geo, 'geolocation', 'lat'));
    const lon = num(path(geo, 'geolocation', 'lon'));
    const country = str(geo?.country);
    const city = str(geo?.city);
    const asn = num(path(r, 'securityContext', 'asNumber'));
    return [
      importedAuthentication({
        id: str(r.uuid),
        time,
        source: 'okta',
        outcome: ok ? 'success' : 'failure',
        principal,
        sourceIp,
        ...(userAgent ? { userAgent } : {}),
        ...(device ? { device } : {}),
        ...(session ? { credentialId: session } : {}),
        ...(ok ? {} : { reason: `okta_${(str(path(r, 'outcome', 'reason')) ?? result).toLowerCase().replace(/\W+/g, '_').slice(0, 40)}` }),
        mfa: /mfa/i.test(eventType),
        origin: {
          system: 'okta',
          ...(country ? { country } : {}),
          ...(city ? { city } : {}),
          ...(lat !== undefined && lon !== undefined ? { lat, lon } : {}),
          ...(asn !== undefined ? { asn } : {}),
        },
      }),
    ];
  }
  const target = Array.isArray(r.target) ? obj(r.target[0]) : undefined;
  const resource = target
    ? { type: `Okta${str(target.type) ?? 'Object'}`, id: str(target.alternateId) ?? str(target.id) ?? 'unknown' }
    : { type: 'OktaOrg', id: 'org' };
  return [
    importedDecision({
      system: 'okta',
      id: str(r.uuid),
      time,
      principal,
      action: `okta:${eventType}`,
      resource,
      sourceIp,
      userAgent,
      allowed: ok || result === 'UNKNOWN',
      device,
      credentialId: session,
    }),
  ];
}
