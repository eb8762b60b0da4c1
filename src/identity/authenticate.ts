/**
 * Turns a request's credentials into an Identity: a bearer JWT, a Warden API key (bearer or `x-api-key`),
 * or a verified client certificate. Every failure is a `WardenError` (401) that names no secret.
 */
import type { TLSSocket } from 'node:tls';
import { WardenError, type Authentication, type DeviceProof, type Identity, type Principal, type PrincipalKind, type RoleGrant } from '../core/index.js';
import type { ApiKeyStore } from './apikeys.js';
import { looksLikeApiKey } from './apikeys.js';
import type { Directory } from './directory.js';
import type { JwtVerifier, VerifiedJwt } from './jwt.js';
import { isMultiFactor } from './mfa.js';
import { identityFromCertificate, verifiedCertificateSha256 } from './mtls.js';
import type { SessionAuthenticator } from '../mfa/index.js';

export interface RequestCredentials {
  authorization?: string;
  apiKey?: string;
  /** The TLS socket when the request came over the mTLS listener. */
  tlsSocket?: TLSSocket;
  /** The user an agent says it acts for (header). */
  onBehalfOf?: string;
  /** The device header's value: believed only when `fromTrustedProxy`. */
  deviceId?: string;
  /** Whether the connection's peer is one of `server.trustedProxies`. */
  fromTrustedProxy?: boolean;
  /** The DPoP proof header (RFC 9449), for a DPoP-bound session token. */
  dpop?: string;
  /** The request method and the URLs it may have been addressed to (a DPoP proof's `htm`/`htu`). */
  method?: string;
  urls?: readonly string[];
}

/** Step-up results the authenticator applies (src/mfa): session tokens and elevated API keys. */
export interface StepUpCredentials {
  sessions: SessionAuthenticator;
  /** The elevation in force for an API key (its owner verified a factor), from memory. */
  elevation(apiKeyId: string): { principal: string; amr: string[]; authTime: string } | undefined;
}

/** Roles held just in time (src/access): read from memory per request; each use is counted for the history. */
export interface RoleGrants {
  rolesFor(principal: string, nowMs: number): RoleGrant[];
  noteUse(grants: readonly RoleGrant[], nowMs: number): void;
}

export interface AuthenticatorOptions {
  apiKeys: ApiKeyStore;
  jwt: JwtVerifier;
  directory: Directory;
  apiKeysEnabled: boolean;
  mtlsEnabled: boolean;
  stepUp?: StepUpCredentials;
  access?: RoleGrants;
}

const KINDS = new Set<PrincipalKind>(['User', 'Service', 'Agent']);

export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  async authenticate(credentials: RequestCredentials, now = Date.now()): Promise<Identity> {
    const { scheme, token: bearer } = parseAuthorization(credentials.authorization);
    const apiKey = credentials.apiKey ?? (bearer && looksLikeApiKey(bearer) ? bearer : undefined);
    let identity: Identity;
    if (apiKey !== undefined) identity = this.fromApiKey(apiKey, now);
    else if (bearer !== undefined && this.options.stepUp && (scheme === 'dpop' || this.options.stepUp.sessions.recognises(bearer))) identity = await this.fromSessionToken(bearer, scheme, credentials, now);
    else if (scheme === 'dpop') throw new WardenError('invalid_token', 'the DPoP scheme is for Warden session tokens');
    else if (bearer !== undefined) identity = await this.fromJwt(bearer, now);
    else if (credentials.tlsSocket && this.options.mtlsEnabled) identity = this.fromCertificate(credentials.tlsSocket);
    else throw new WardenError('unauthenticated');
    this.withDelegationAndDevice(identity, credentials);
    return this.withGrants(this.withElevation(identity, now), now);
  }

  /**
   * A principal's approved just-in-time roles join its roles for their window only. Its own: an agent
   * acting for a person does not borrow the person's elevation.
   */
  private withGrants(identity: Identity, now: number): Identity {
    const grants = this.options.access?.rolesFor(identity.principal.id, now);
    if (!grants?.length) return identity;
    identity.principal.roles = [...new Set([...identity.principal.roles, ...grants.map((g) => g.role)])];
    identity.elevations = grants;
    this.options.access!.noteUse(grants, now);
    return identity;
  }

  private fromSessionToken(token: string, scheme: 'bearer' | 'dpop', credentials: RequestCredentials, now: number): Promise<Identity> {
    const fingerprint = credentials.tlsSocket && this.options.mtlsEnabled ? verifiedCertificateSha256(credentials.tlsSocket) : undefined;
    return this.options.stepUp!.sessions.authenticate(
      {
        token,
        scheme,
        method: credentials.method ?? 'GET',
        urls: credentials.urls ?? [],
        ...(credentials.dpop !== undefined ? { dpop: credentials.dpop } : {}),
        ...(fingerprint !== undefined ? { certificateSha256: Buffer.from(fingerprint, 'hex').toString('base64url') } : {}),
      },
      now,
    );
  }

  /**
   * An API key whose owner completed a step-up counts as multi-factor until the elevation expires, for
   * that owner only (an agent's key elevated by one user is not elevated for another it acts for).
   */
  private withElevation(identity: Identity, now: number): Identity {
    const authn = identity.authentication;
    if (authn.method !== 'apikey' || authn.credentialId === undefined || !this.options.stepUp) return identity;
    const elevation = this.options.stepUp.elevation(authn.credentialId);
    const person = identity.delegation?.onBehalfOf.id ?? identity.principal.id;
    if (!elevation || elevation.principal !== person) return identity;
    authn.mfa = true;
    authn.strength = 2;
    authn.ageSeconds = Math.max(0, Math.floor((now - Date.parse(elevation.authTime)) / 1000));
    return identity;
  }

  private fromApiKey(key: string, now: number): Identity {
    if (!this.options.apiKeysEnabled) throw new WardenError('unauthenticated', 'API keys are disabled');
    const record = this.options.apiKeys.verify(key, now);
    return {
      principal: this.options.directory.principal(record.principal),
      authentication: { method: 'apikey', strength: 1, mfa: false, credentialId: record.id, scopes: record.scopes },
    };
  }

  private async fromJwt(token: string, now: number): Promise<Identity> {
    if (!this.options.jwt.enabled) throw new WardenError('invalid_token', 'no token issuer is configured');
    const verified = await this.options.jwt.verify(token);
    const principal = this.principalFromClaims(verified);
    const mfa = isMultiFactor(verified.payload, verified.config.mfaAcrValues);
    const authTime = typeof verified.payload.auth_time === 'number' ? verified.payload.auth_time : undefined;
    const authentication: Authentication = {
      method: 'jwt',
      strength: mfa ? 2 : 1,
      mfa,
      scopes: parseScopes(verified.payload.scope ?? verified.payload.scp),
      ...(typeof verified.payload.jti === 'string' ? { credentialId: verified.payload.jti.slice(0, 128) } : {}),
      ...(typeof verified.payload.iat === 'number' ? { issuedAt: verified.payload.iat } : {}),
      ...(authTime !== undefined ? { ageSeconds: Math.max(0, Math.floor(now / 1000) - authTime) } : {}),
    };
    const identity: Identity = { principal, authentication };
    // RFC 8693 `act`: the token's subject is the user; the actor (an agent) makes the call.
    // The same delegation check as the header path: a token issuer vouches for who acts, not for whom
    // the agent may act; that is Warden's configuration (`mayActFor`).
    const act = verified.payload.act as { sub?: unknown } | undefined;
    if (act !== undefined && act !== null) {
      if (typeof act !== 'object' || typeof act.sub !== 'string' || act.sub.length === 0 || act.sub.length > 256) throw new WardenError('invalid_token', 'the token has an unusable `act` claim');
      this.delegate(identity, this.options.directory.principal(act.sub, 'Agent'), principal);
    }
    const deviceClaim = verified.payload[verified.config.claims.device];
    if (typeof deviceClaim === 'string' && deviceClaim.length > 0 && deviceClaim.length <= 200) identity.device = this.options.directory.device(deviceClaim, 'token');
    return identity;
  }

  private principalFromClaims(verified: VerifiedJwt): Principal {
    const { claims } = verified.config;
    const subject = verified.payload[claims.subject];
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256) throw new WardenError('invalid_token', 'the token has no usable subject');
    const claimedKind = verified.payload[claims.kind];
    const kind = typeof claimedKind === 'string' && KINDS.has(claimedKind as PrincipalKind) ? (claimedKind as PrincipalKind) : 'User';
    const principal = this.options.directory.principal(subject, kind);
    const known = this.options.directory.has(subject);
    // Groups and roles asserted by the IdP add to the configured ones; a configured principal's kind wins.
    principal.groups = union(principal.groups, stringList(verified.payload[claims.groups]));
    principal.roles = union(principal.roles, stringList(verified.payload[claims.roles]));
    if (!known && typeof verified.payload.email === 'string') principal.attributes.email = verified.payload.email;
    return principal;
  }

  private fromCertificate(socket: TLSSocket): Identity {
    const cert = identityFromCertificate(socket);
    if (!cert) throw new WardenError('unauthenticated', 'the client certificate is missing or not trusted');
    return {
      principal: this.options.directory.principal(cert.id, 'Service'),
      authentication: { method: 'mtls', strength: 3, mfa: false, credentialId: `sha256:${cert.fingerprint}`, scopes: ['*'] },
    };
  }

  /** The one delegation check, for the `act` claim and the header alike: `actor` becomes the principal. */
  private delegate(identity: Identity, actor: Principal, user: Principal): void {
    if (actor.kind !== 'Agent') throw new WardenError('forbidden', 'only agents may act on behalf of a user');
    if (actor.id === user.id || !this.options.directory.mayActFor(actor.id, user)) throw new WardenError('forbidden', `agent \`${actor.id}\` may not act for \`${user.id}\``);
    identity.delegation = { actor, onBehalfOf: user };
    identity.principal = actor;
  }

  private withDelegationAndDevice(identity: Identity, credentials: RequestCredentials): Identity {
    if (credentials.onBehalfOf !== undefined) {
      // A token that already names the user (`act`) cannot be redirected to another one by a header.
      if (identity.delegation) {
        if (identity.delegation.onBehalfOf.id !== credentials.onBehalfOf) throw new WardenError('forbidden', 'the on-behalf-of header contradicts the token');
      } else this.delegate(identity, identity.principal, this.options.directory.principal(credentials.onBehalfOf));
    }
    this.proveDevice(identity, credentials);
    return identity;
  }

  /**
   * A device is believed only from a proof: a client certificate enrolled for it, a trusted issuer's token
   * claim (already on `identity`), or the device header from a trusted proxy. A bare header from anyone
   * else is ignored, so the device stays unknown (unmanaged) for policy. Proofs that name different
   * devices, and a device bound to another owner, are refused.
   */
  private proveDevice(identity: Identity, credentials: RequestCredentials): void {
    const proofs: { id: string; proof: DeviceProof }[] = [];
    if (identity.device) proofs.push({ id: identity.device.id, proof: 'token' });
    const fingerprint = credentials.tlsSocket && this.options.mtlsEnabled ? verifiedCertificateSha256(credentials.tlsSocket) : undefined;
    const enrolled = fingerprint === undefined ? undefined : this.options.directory.deviceIdForCertificate(fingerprint);
    if (enrolled !== undefined) proofs.push({ id: enrolled, proof: 'certificate' });
    if (credentials.fromTrustedProxy && credentials.deviceId) proofs.push({ id: credentials.deviceId.slice(0, 200), proof: 'proxy' });
    if (proofs.length === 0) return;
    if (proofs.some((p) => p.id !== proofs[0]!.id)) throw new WardenError('forbidden', 'the device proofs name different devices');
    // The strongest proof is recorded: a certificate over a token over a proxy's word.
    const best = proofs.find((p) => p.proof === 'certificate') ?? proofs[0]!;
    const device = this.options.directory.device(best.id, best.proof);
    const people = [identity.principal.id, identity.delegation?.onBehalfOf.id];
    if (device.owner !== undefined && !people.includes(device.owner)) throw new WardenError('forbidden', `device \`${device.id}\` belongs to another principal`);
    identity.device = device;
  }
}

function parseAuthorization(header: string | undefined): { scheme: 'bearer' | 'dpop'; token?: string } {
  if (header === undefined) return { scheme: 'bearer' };
  const match = /^(Bearer|DPoP)[ ]+([^\s]+)\s*$/i.exec(header);
  if (!match) throw new WardenError('unauthenticated', 'the authorization header must use the Bearer (or, for session tokens, DPoP) scheme');
  return { scheme: match[1]!.toLowerCase() === 'dpop' ? 'dpop' : 'bearer', token: match[2]! };
}

function parseScopes(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  return stringList(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200) : [];
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
