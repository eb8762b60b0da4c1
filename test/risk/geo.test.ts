import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distanceKm, openGeoLocator } from '../../src/risk/index.js';
import { networkOf, toLocation } from '../../src/risk/geo.js';

const geo = openGeoLocator({ defaultAccuracyKm: 100, unknownCidrs: ['203.0.113.0/24'] });

test('the bundled DB-IP database locates a public address to a city with the default accuracy radius', () => {
  const loc = geo.lookup('81.2.69.142');
  assert.ok(loc, 'expected a location');
  assert.equal(loc.country, 'GB');
  assert.ok(distanceKm(loc.lat, loc.lon, 51.5, -0.12) < 100);
  assert.equal(loc.radiusKm, 100);
});

test('anycast, private, configured and malformed addresses are unknown, not a place', () => {
  for (const ip of ['8.8.8.8', '1.1.1.1', '10.1.2.3', '192.168.0.1', '203.0.113.7', 'not-an-ip', '']) assert.equal(geo.lookup(ip), null, ip);
});

test('a record without a city is a country centroid: unknown', () => {
  assert.equal(toLocation({ country_code: 'US', city: '', latitude: 37.75, longitude: -97.82 }, 50), null);
  assert.equal(toLocation({ country_code: 'XX', city: 'Null Island', latitude: 0, longitude: 0 }, 50), null);
  const geoip2 = toLocation({ country: { iso_code: 'FR' }, city: { names: { en: 'Paris' } }, location: { latitude: 48.85, longitude: 2.35, accuracy_radius: 20 } } as never, 50);
  assert.deepEqual(geoip2, { country: 'FR', city: 'Paris', lat: 48.85, lon: 2.35, radiusKm: 20 });
});

test('distance and network helpers', () => {
  assert.ok(Math.abs(distanceKm(51.5, -0.12, 40.71, -74.01) - 5570) < 30);
  assert.equal(networkOf('81.2.69.142'), '81.2.0.0/16');
  assert.equal(networkOf('2001:db8:1:2::1'), '2001:db8:1::/48');
});
