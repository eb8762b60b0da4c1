/**
 * The DPoP hot path without a JOSE library: a client signs every proof with the same key and the same
 * protected header, so the header segment is parsed, checked and its key imported (a `KeyObject`) and
 * thumbprinted once, then looked up by the segment's text; each proof costs one `crypto.verify` and one
 * `JSON.parse` of its payload. RFC 7515 compact serialisation, RFC 7518 algorithms, RFC 7638 thumbprints.
 *
 * @example
 * const keys = new ProofKeys(['ES256', 'EdDSA']);
 * const { jkt, payload } = keys.verify(proofJwt, 'dpop+jwt'); // throws on any defect
 */
import { createHash, createPublicKey, constants, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export type ProofAlgorithm = 'ES256' | 'ES384' | 'EdDSA' | 'RS256' | 'PS256';

interface HeaderEntry {
  alg: ProofAlgorithm;
  key: KeyObject;
  jkt: string;
}

/** Headers (and their keys) remembered: one per client key; beyond this the oldest is forgotten. */
const MAX_HEADERS = 10_000;
const MAX_HEADER_CHARS = 2048;

export class ProofError extends Error {}

export class ProofKeys {
  private readonly headers = new Map<string, HeaderEntry>();

  constructor(private readonly algorithms: readonly ProofAlgorithm[]) {}

  /** The proof's key thumbprint and payload once its header and signature check out; `ProofError` otherwise. */
  verify(jwt: string, typ: string): { jkt: string; payload: Record<string, unknown> } {
    const first = jwt.indexOf('.');
    const second = jwt.indexOf('.', first + 1);
    if (first <= 0 || second <= first + 1 || jwt.indexOf('.', second + 1) !== -1) throw new ProofError('not a compact JWS');
    const headerSegment = jwt.slice(0, first);
    const entry = this.header(headerSegment, typ);
    const signature = Buffer.from(jwt.slice(second + 1), 'base64url');
    if (!verifySignature(entry, Buffer.from(jwt.slice(0, second)), signature)) throw new ProofError('bad signature');
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(jwt.slice(first + 1, second), 'base64url').toString('utf8'));
    } catch {
      throw new ProofError('the payload is not JSON');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new ProofError('the payload is not an object');
    return { jkt: entry.jkt, payload: payload as Record<string, unknown> };
  }

  private header(segment: string, typ: string): HeaderEntry {
    const known = this.headers.get(segment);
    if (known) return known;
    if (segment.length > MAX_HEADER_CHARS) throw new ProofError('the header is too large');
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new ProofError('the header is not JSON');
    }
    if (typeof header !== 'object' || header === null || header.typ !== typ) throw new ProofError('wrong typ');
    // A critical extension or an unencoded payload is something this verifier does not implement: refuse.
    if ('crit' in header || 'b64' in header) throw new ProofError('unsupported header parameter');
    const alg = header.alg as ProofAlgorithm;
    if (!this.algorithms.includes(alg)) throw new ProofError('algorithm not allowed');
    const jwk = header.jwk as JsonWebKey | undefined;
    if (!jwk || typeof jwk !== 'object' || 'd' in jwk) throw new ProofError('no public jwk');
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      throw new ProofError('the jwk is not a key');
    }
    if (!keyFits(alg, key)) throw new ProofError('the key does not fit the algorithm');
    const entry: HeaderEntry = { alg, key, jkt: thumbprint(jwk) };
    if (this.headers.size >= MAX_HEADERS) this.headers.delete(this.headers.keys().next().value!);
    this.headers.set(segment, entry);
    return entry;
  }
}

function keyFits(alg: ProofAlgorithm, key: KeyObject): boolean {
  const details = key.asymmetricKeyDetails;
  switch (alg) {
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1';
    case 'ES384':
      return key.asymmetricKeyType === 'ec' && details?.namedCurve === 'secp384r1';
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448';
    case 'RS256':
    case 'PS256':
      return key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048;
  }
}

function verifySignature({ alg, key }: HeaderEntry, data: Buffer, signature: Buffer): boolean {
  try {
    switch (alg) {
      case 'ES256':
        return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'ES384':
        return verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'EdDSA':
        return verify(null, data, key, signature);
      case 'RS256':
        return verify('sha256', data, key, signature);
      case 'PS256':
        return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    }
  } catch {
    return false;
  }
}

/** RFC 7638: SHA-256 over the required members, in lexicographic order, without whitespace. */
export function thumbprint(jwk: JsonWebKey): string {
  const members: Record<string, readonly string[]> = { EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'], RSA: ['e', 'kty', 'n'] };
  const names = members[String(jwk.kty)];
  if (!names) throw new ProofError('unsupported key type');
  const canonical = `{${names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(jwk[n])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}
