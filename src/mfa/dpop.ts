/**
 * RFC 9449 DPoP proof verification: the client signs a small JWT per request with its own key; the
 * session token names that key's thumbprint (`cnf.jkt`), so a copied token is useless without the key.
 * Checked: `typ` `dpop+jwt`, an asymmetric algorithm, a public JWK in the header, the signature, `htm`
 * and `htu` (the method and URL of this request), `iat` within the allowed skew, a `jti` not seen before
 * (replay: in the cluster's Redis when it has one), and `ath` (the hash of the token it accompanies).
 */
import { createHash } from 'node:crypto';
import { WardenError } from '../core/index.js';
import { ProofKeys, ProofError, type ProofAlgorithm } from './proof-keys.js';
import type { ReplayCache } from './replay-cache.js';

const ALGORITHMS: ProofAlgorithm[] = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];
const MAX_PROOF_BYTES = 4096;

export interface DpopCheck {
  method: string;
  /** The URLs (without query and fragment, RFC 9449 section 4.3) this request may have been sent to. */
  urls: readonly string[];
  /** The hash of the access token the proof accompanies (`tokenHash`): it must be `ath`. */
  accessTokenHash?: string;
  nowMs?: number;
}

export class DpopVerifier {
  /** Proof headers and their imported keys, by the header's text (the hot path's only cache). */
  private readonly keys = new ProofKeys(ALGORITHMS);

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
      ({ jkt, payload } = this.keys.verify(proof, 'dpop+jwt'));
    } catch (error) {
      if (error instanceof ProofError) throw invalid('the DPoP proof is not a valid signed dpop+jwt');
      throw error;
    }
    if (payload.htm !== check.method) throw invalid('the DPoP proof is for another method');
    if (typeof payload.htu !== 'string' || !check.urls.includes(stripUrl(payload.htu))) throw invalid('the DPoP proof is for another URL');
    const iat = payload.iat;
    if (typeof iat !== 'number' || Math.abs(iat - nowMs / 1000) > this.skewSeconds) throw invalid('the DPoP proof is not fresh');
    if (typeof payload.exp === 'number' && payload.exp * 1000 <= nowMs) throw invalid('the DPoP proof has expired');
    if (typeof payload.jti !== 'string' || payload.jti.length < 8 || payload.jti.length > 256) throw invalid('the DPoP proof needs a `jti`');
    if (check.accessTokenHash !== undefined && payload.ath !== check.accessTokenHash) throw invalid('the DPoP proof is for another token');
    // Keyed by the proof key too: one client's jti cannot block another's. Last, after every local check,
    // so that a bad proof costs no round trip to the shared cache (Redis in a cluster: unreachable, it rejects with 503).
    if (!(await this.replay.add(`${jkt}:${payload.jti}`, (iat + this.skewSeconds) * 1000 + 1000, nowMs))) throw invalid('the DPoP proof was already used');
    return jkt;
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
