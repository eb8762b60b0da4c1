/**
 * Whether a token says its user authenticated with more than one factor. `acr` values are the issuer's
 * own vocabulary, so they count only when configured for that issuer, by exact match
 * (`identity.jwt[].mfaAcrValues`); `amr` values are RFC 8176's registry, compared case-insensitively:
 * `mfa` itself, or methods from two different factor kinds (something known, held, or inherent).
 *
 * @example
 * isMultiFactor({ amr: ['pwd', 'otp'] }, [])                             // true: knowledge + possession
 * isMultiFactor({ acr: 'urn:okta:loa:2fa:any' }, ['urn:okta:loa:2fa:any']) // true: configured
 * isMultiFactor({ acr: 'urn:example:no-mfa' }, [])                        // false: never by substring
 */

type FactorKind = 'knowledge' | 'possession' | 'inherence';

/**
 * RFC 8176 section 2 methods that are a factor; the others (`geo`, `rba`, `user`, `wia`, `mca`) are not.
 * A Map, not an object literal: a lookup of `constructor` or `toString` in an object finds
 * Object.prototype's, which counted as a second factor kind (`amr: ["pwd", "constructor"]` was MFA).
 */
const FACTORS = new Map<string, FactorKind>([
  ['pwd', 'knowledge'],
  ['pin', 'knowledge'],
  ['kba', 'knowledge'],
  ['hwk', 'possession'],
  ['swk', 'possession'],
  ['sc', 'possession'],
  ['otp', 'possession'],
  ['sms', 'possession'],
  ['tel', 'possession'],
  ['pop', 'possession'],
  ['fpt', 'inherence'],
  ['face', 'inherence'],
  ['iris', 'inherence'],
  ['retina', 'inherence'],
  ['vbm', 'inherence'],
]);

export function isMultiFactor(payload: Record<string, unknown>, mfaAcrValues: readonly string[]): boolean {
  if (typeof payload.acr === 'string' && mfaAcrValues.includes(payload.acr)) return true;
  const amr = Array.isArray(payload.amr) ? payload.amr.filter((m): m is string => typeof m === 'string').map((m) => m.toLowerCase()) : [];
  if (amr.includes('mfa')) return true;
  const kinds = new Set(amr.map((m) => FACTORS.get(m)).filter((k) => k !== undefined));
  return kinds.size >= 2;
}
