/**
 * Warden's own short-lived session tokens, issued when a step-up completes: a JWT (`typ`
 * `warden-session+jwt`, HS256 under a key derived from the key-encryption key, so every instance sharing
 * the KEK verifies it) carrying `amr`, `acr`, `auth_time`, and a confirmation claim binding it to the
 * client: `cnf.jkt` (a DPoP key, RFC 9449) or `cnf["x5t#S256"]` (a client certificate, RFC 8705).
 */
import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, decodeProtectedHeader } from 'jose';
import { WardenError, type PrincipalKind } from '../core/index.js';

export const SESSION_TOKEN_TYPE = 'warden-session+jwt';
const ISSUER = 'warden';
const AUDIENCE = 'warden';

export type Binding = { jkt: string } | { 'x5t#S256': string };

export interface SessionClaims {
  sub: string;
  kind: PrincipalKind;
  amr: string[];
  acr: string;
  /** Seconds since the epoch when the factor was verified. */
  auth_time: number;
  groups: string[];
  roles: string[];
  cnf: Binding;
  exp: number;
  jti: string;
}

export interface IssueInput {
  principal: string;
  kind: PrincipalKind;
  amr: string[];
  authTime: number;
  groups: string[];
  roles: string[];
  binding: Binding;
  jti: string;
}

/** Tokens whose signature was checked, remembered (bounded) so a client's every request does not redo it. */
const MAX_VERIFIED = 10_000;

/** The ACR Warden states for a session its own factors stepped up (the demo policy asks for `mfa`). */
export const WARDEN_MFA_ACR = 'mfa';

export class SessionTokens {
  /** A KeyObject, imported once: jose re-imports a raw byte key on every call (most of the cost). */
  private readonly key: KeyObject;
  /** token → its claims, once verified: a token is immutable, so only its expiry needs checking again. */
  private readonly verified = new Map<string, SessionClaims>();

  constructor(
    kek: Buffer,
    private readonly ttlSeconds: number,
  ) {
    this.key = createSecretKey(Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'warden-session-token-v1', 32)));
  }

  issue(input: IssueInput, nowMs = Date.now()): Promise<string> {
    const iat = Math.floor(nowMs / 1000);
    return new SignJWT({ kind: input.kind, amr: input.amr, acr: WARDEN_MFA_ACR, auth_time: input.authTime, groups: input.groups, roles: input.roles, cnf: input.binding })
      .setProtectedHeader({ alg: 'HS256', typ: SESSION_TOKEN_TYPE })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(input.principal)
      .setJti(input.jti)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(this.key);
  }

  /** The claims of a valid, unexpired token; 401 otherwise. The binding is the caller's to check. */
  async verify(token: string, nowMs = Date.now()): Promise<SessionClaims> {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > nowMs) return known;
      this.verified.delete(token);
      throw new WardenError('token_expired', 'the session token has expired: step up again');
    }
    const claims = await this.verifySignature(token, nowMs);
    if (this.verified.size >= MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }

  private async verifySignature(token: string, nowMs: number): Promise<SessionClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], typ: SESSION_TOKEN_TYPE, issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(nowMs), requiredClaims: ['sub', 'exp', 'jti'] });
      const claims = payload as unknown as SessionClaims;
      if (!Array.isArray(claims.amr) || typeof claims.auth_time !== 'number' || typeof claims.cnf !== 'object' || claims.cnf === null) throw new Error('malformed');
      return claims;
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED') throw new WardenError('token_expired', 'the session token has expired: step up again');
      throw new WardenError('invalid_token', 'the session token is invalid');
    }
  }
}

/** Whether a token says it is a Warden session token (without verifying it; verification follows). */
export function isSessionToken(token: string): boolean {
  try {
    return decodeProtectedHeader(token).typ === SESSION_TOKEN_TYPE;
  } catch {
    return false;
  }
}
