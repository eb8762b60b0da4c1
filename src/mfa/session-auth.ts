/**
 * Authenticates a request that carries a Warden session token: the token must verify, and the client
 * must prove it holds what the token is bound to, a DPoP key (`Authorization: DPoP`, RFC 9449) or the
 * client certificate of this TLS connection (`Authorization: Bearer`, RFC 8705). A token presented
 * without its proof is refused: a copied token alone is worthless.
 */
import { timingSafeEqual } from 'node:crypto';
import { WardenError, type Identity } from '../core/index.js';
import type { Directory } from '../identity/index.js';
import { tokenHash, type DpopVerifier } from './dpop.js';
import { isSessionToken, type SessionTokens } from './session-token.js';

export interface BoundTokenRequest {
  token: string;
  scheme: 'bearer' | 'dpop';
  /** The DPoP header, when sent. */
  dpop?: string;
  method: string;
  /** The request URL without query, as the client addressed Warden (for `htu`). */
  urls: readonly string[];
  /** SHA-256 of the verified client certificate (base64url), on the mTLS listener. */
  certificateSha256?: string;
}

export class SessionAuthenticator {
  constructor(
    private readonly tokens: SessionTokens,
    private readonly dpop: DpopVerifier,
    private readonly directory: Directory,
  ) {}

  /** Whether a bearer token is one of these session tokens (its header says so), not a JWT from an issuer. */
  recognises(token: string): boolean {
    return isSessionToken(token);
  }

  async authenticate(request: BoundTokenRequest, nowMs = Date.now()): Promise<Identity> {
    const claims = await this.tokens.verify(request.token, nowMs);
    const cnf = claims.cnf as Record<string, unknown>;
    if (typeof cnf.jkt === 'string') {
      if (request.scheme !== 'dpop') throw new WardenError('invalid_token', 'a DPoP-bound session token must be sent with the DPoP scheme and a proof');
      await this.checkProof(request, cnf.jkt, nowMs);
    } else if (typeof cnf['x5t#S256'] === 'string') {
      if (request.certificateSha256 === undefined || !sameString(request.certificateSha256, cnf['x5t#S256'])) throw new WardenError('invalid_token', 'the session token is bound to another client certificate');
    } else {
      throw new WardenError('invalid_token', 'the session token is not bound to a key');
    }
    const principal = this.directory.principal(claims.sub, claims.kind);
    principal.groups = [...new Set([...principal.groups, ...claims.groups])];
    principal.roles = [...new Set([...principal.roles, ...claims.roles])];
    return {
      principal,
      authentication: {
        method: 'session',
        strength: 2,
        mfa: true,
        scopes: ['*'],
        credentialId: claims.jti.slice(0, 128),
        ageSeconds: Math.max(0, Math.floor(nowMs / 1000) - claims.auth_time),
      },
    };
  }

  private async checkProof(request: BoundTokenRequest, jkt: string, nowMs: number): Promise<void> {
    const proven = await this.dpop.verify(request.dpop, { method: request.method, urls: request.urls, accessTokenHash: tokenHash(request.token), nowMs });
    if (!sameString(proven, jkt)) throw new WardenError('invalid_dpop_proof', 'the DPoP proof is signed by another key than the token is bound to');
  }
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
