/**
 * Sign-in detectors: impossible and atypical travel (geo from the offline database, accuracy radii
 * subtracted, unknown locations ignored) and unfamiliar sign-in properties (device, network/ASN,
 * country, client never seen for this principal).
 */
import type { Baseline } from '../baseline/principal.js';
import { distanceKm, networkOf, type GeoLocation } from '../geo.js';
import type { Activity, Finding } from '../types.js';
import { fmtDays, HOUR_MS, type DetectorContext } from './context.js';

const NEW_WEIGHTS = { country: 0.45, network: 0.25, device: 0.25, client: 0.15 } as const;

const networks = new Map<string, string>();
/** `AS<n>` when the source names the ASN, else the address's /16 (cached). */
export function networkKey(a: Activity): string | undefined {
  if (a.network !== undefined) return a.network;
  if (a.origin?.asn !== undefined) return (a.network = `AS${a.origin.asn}`);
  const ip = a.sourceIp;
  if (!ip) return undefined;
  let n = networks.get(ip);
  if (n === undefined) {
    n = networkOf(ip);
    if (networks.size >= 100_000) networks.clear();
    networks.set(ip, n);
  }
  return (a.network = n);
}

export function locate(a: Activity, ctx: DetectorContext): GeoLocation | null {
  const o = a.origin;
  if (o && typeof o.lat === 'number' && typeof o.lon === 'number' && o.country && o.city) {
    return { country: o.country, city: o.city, lat: o.lat, lon: o.lon, radiusKm: ctx.config.geo.defaultAccuracyKm };
  }
  if (!a.sourceIp || !ctx.geo) return null;
  return ctx.geo.lookup(a.sourceIp);
}

/** Checks travel and sign-in novelty, then folds the activity's properties into the baseline. */
export function detectSignIn(a: Activity, b: Baseline, learning: boolean, ctx: DetectorContext, out: Finding[]): void {
  // Failed attempts are not the principal's behaviour: they neither move it nor teach its baseline.
  if (!a.success) return;
  const last = b.last;
  let country: string | undefined;
  if (a.sourceIp !== undefined && last !== null && last.ip === a.sourceIp) {
    last.t = a.t; // same address as last time: same place
    country = last.country;
  } else {
    const loc = locate(a, ctx);
    if (loc) travel(a, b, loc, learning, ctx, out);
    country = loc?.country ?? a.origin?.country;
  }
  const network = networkKey(a);
  if (a.kind === 'auth' && !learning) {
    const fresh: string[] = [];
    let score = 0;
    const check = (name: keyof typeof NEW_WEIGHTS, map: Map<string, number>, value: string | undefined): void => {
      if (value === undefined || map.size === 0 || map.has(value)) return;
      fresh.push(`${name} \`${value}\``);
      score += NEW_WEIGHTS[name];
    };
    check('country', b.countries, country);
    check('network', b.networks, network);
    check('device', b.devices, a.device);
    check('client', b.clients, a.client);
    // A familiar device and client in a new place is most often travel: half the weight.
    const familiarDevice = a.device !== undefined && b.devices.has(a.device) && (a.client === undefined || b.clients.has(a.client));
    if (familiarDevice) score /= 2;
    if (score > 0) {
      out.push({
        detector: 'risk.unfamiliar_sign_in',
        category: 'identity',
        entity: a.principal,
        score: Math.min(0.95, score),
        explanation: `sign-in with new ${fresh.join(', ')}${familiarDevice ? ' (from a familiar device and client)' : ''}: not seen for this principal in its ${fmtDays(a.t - b.firstSeen)} baseline (${b.countries.size} countries, ${b.networks.size} networks, ${b.devices.size} devices, ${b.clients.size} clients)`,
        details: { new: fresh, sourceIp: a.sourceIp },
        sessionId: a.credentialId,
        requestId: a.requestId,
      });
    }
  }
  if (country) rememberIn(b.countries, country, a.t);
  if (network) rememberIn(b.networks, network, a.t);
  if (a.device) rememberIn(b.devices, a.device, a.t);
  if (a.client) rememberIn(b.clients, a.client, a.t);
}

function rememberIn(map: Map<string, number>, value: string, t: number): void {
  const seen = map.get(value);
  if (seen !== undefined) {
    if (t - seen > 3_600_000) map.set(value, t); // refresh at most hourly
  } else if (map.size < 64) map.set(value, t);
  else {
    const first = map.keys().next().value as string;
    map.delete(first);
    map.set(value, t);
  }
}

function travel(a: Activity, b: Baseline, loc: GeoLocation, learning: boolean, ctx: DetectorContext, out: Finding[]): void {
  const last = b.last;
  if (last && last.ip !== a.sourceIp && a.t >= last.t) {
    const km = Math.max(0, distanceKm(last.lat, last.lon, loc.lat, loc.lon) - last.radiusKm - loc.radiusKm);
    const hours = (a.t - last.t) / HOUR_MS;
    const speed = hours > 0 ? km / hours : Infinity;
    if (km >= 300 && speed > ctx.config.geo.maxSpeedKmh) {
      out.push({
        detector: 'risk.impossible_travel',
        category: 'identity',
        entity: a.principal,
        score: speed > 2 * ctx.config.geo.maxSpeedKmh ? 0.9 : 0.75,
        explanation: `${loc.city ? `${loc.city}, ` : ''}${loc.country} is ${Math.round(km)} km (after accuracy radii) from ${last.country} seen ${hours.toFixed(1)} h earlier: ${Number.isFinite(speed) ? Math.round(speed) : '∞'} km/h exceeds ${ctx.config.geo.maxSpeedKmh} km/h`,
        details: { km: Math.round(km), hours: Number(hours.toFixed(2)), from: last.country, to: loc.country, sourceIp: a.sourceIp },
        sessionId: a.credentialId,
        requestId: a.requestId,
      });
    } else if (!learning && b.places.length > 0) {
      const nearest = b.nearestPlaceKm(loc.lat, loc.lon, loc.radiusKm, distanceKm);
      if (nearest >= 1500 && Number.isFinite(nearest)) {
        out.push({
          detector: 'risk.atypical_travel',
          category: 'identity',
          entity: a.principal,
          score: 0.4,
          explanation: `${loc.city ? `${loc.city}, ` : ''}${loc.country} is ${Math.round(nearest)} km from every place this principal used in its ${fmtDays(a.t - b.firstSeen)} baseline (${b.places.length} places)`,
          details: { km: Math.round(nearest), to: loc.country, sourceIp: a.sourceIp },
          sessionId: a.credentialId,
          requestId: a.requestId,
        });
      }
    }
  }
  b.last = { lat: loc.lat, lon: loc.lon, radiusKm: loc.radiusKm, country: loc.country, t: a.t, ip: a.sourceIp ?? '' };
  b.addPlace({ lat: loc.lat, lon: loc.lon, radiusKm: loc.radiusKm, country: loc.country, t: a.t }, distanceKm);
}
