/**
 * RFC 9449 DPoP proof verification: the client signs a small JWT per request with its own key; the
 * session token names that key's thumbprint (`cnf.jkt`), so a copied token is useless without the key.
 * Checked: `typ` `dpop+jwt`, an asymmetric algorithm, a public JWK in the header, the signature, `htm`
 * and `htu` (the method and URL of this request), `iat` within the allowed skew, a `jti` not seen before
 * (replay), and `ath` (the hash of the token it accompanies).
 */
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { WardenError } from '../core/errors.js';
import type { ReplayCache } from './replay-cache.js';

const ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];
const MAX_PROOF_BYTES = 4096;
/** Imported proof keys kept (by thumbprint): a client signs many proofs with one key. */
const MAX_KEYS = 10_000;

export interface DpopCheck {
  method: string;
  /** The URLs (without query and fragment, RFC 9449 section 4.3) this request may have been sent to. */
  urls: readonly string[];
  /** The access token the proof accompanies: its hash must be `ath`. */
  accessToken?: string;
  nowMs?: number;
}

export class DpopVerifier {
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    private readonly replay: ReplayCache,
    private readonly skewSeconds = 60,
  ) {}

  /** The proof key's JWK SHA-256 thumbprint (RFC 7638), once the proof checks out; else 401. */
  async verify(proof: string | undefined, check: DpopCheck): Promise<string> {
    if (proof === undefined || proof.length === 0) throw invalid('a DPoP proof header is required');
    if (proof.length > MAX_PROOF_BYTES || proof.includes(',')) throw invalid('send exactly one DPoP proof');
    const nowMs = check.nowMs ?? Date.now();
    let payload: Record<string, unknown>;
    let jkt: string;
    try {
      const jwk = decodeProtectedHeader(proof).jwk as JWK | undefined;
      if (!jwk || typeof jwk !== 'object') throw new Error('no jwk');
      if ('d' in jwk) throw invalid('the DPoP proof carries a private key');
      jkt = await calculateJwkThumbprint(jwk, 'sha256');
      const verified = await jwtVerify(proof, this.publicKey(jkt, jwk), { typ: 'dpop+jwt', algorithms: ALGORITHMS, currentDate: new Date(nowMs) });
      payload = verified.payload;
    } catch (error) {
      if (error instanceof WardenError) throw error;
      throw invalid('the DPoP proof is not a valid signed dpop+jwt');
    }
    if (payload.htm !== check.method) throw invalid('the DPoP proof is for another method');
    if (typeof payload.htu !== 'string' || !check.urls.includes(stripUrl(payload.htu))) throw invalid('the DPoP proof is for another URL');
    const iat = payload.iat;
    if (typeof iat !== 'number' || Math.abs(iat - nowMs / 1000) > this.skewSeconds) throw invalid('the DPoP proof is not fresh');
    if (typeof payload.jti !== 'string' || payload.jti.length < 8 || payload.jti.length > 256) throw invalid('the DPoP proof needs a `jti`');
    if (check.accessToken !== undefined && payload.ath !== tokenHash(check.accessToken)) throw invalid('the DPoP proof is for another token');
    // Keyed by the proof key too: one client's jti cannot block another's.
    if (!this.replay.add(`${jkt}:${payload.jti}`, (iat + this.skewSeconds) * 1000 + 1000, nowMs)) throw invalid('the DPoP proof was already used');
    return jkt;
  }

  /** The proof key, imported once per thumbprint (the thumbprint commits to every public member). */
  private publicKey(jkt: string, jwk: JWK): KeyObject {
    let key = this.keys.get(jkt);
    if (!key) {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      if (this.keys.size >= MAX_KEYS) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(jkt, key);
    }
    return key;
  }
}

/** `ath`: base64url SHA-256 of the access token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function stripUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '';
  }
}

function invalid(message: string): WardenError {
  return new WardenError('invalid_dpop_proof', message);
}
