/**
 * Console sign-in with the configured OpenID Connect issuer: authorization code flow with PKCE (S256),
 * `state` (bound to the browser by a short-lived cookie) and `nonce`; the id_token is verified with jose
 * against the issuer's JWKS (signature, `iss`, `aud`, expiry, `nonce`). The console role comes from a
 * claim (`rolesClaim`) mapped by `roleMapping`, joined with the roles the directory gives the principal.
 * Every attempt, good or bad, is an `authentication` event (method `jwt`), as key sign-ins are.
 *
 * @example
 * // console.oidc: { issuer: https://idp.example, clientId: warden-console, roleMapping: { analyst: [soc] } }
 * // GET /ui/api/oidc/login → 302 to the issuer → GET /ui/api/oidc/callback?code&state → 302 /ui/ with the session cookie
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { resolveSecret, WardenError, type Identity } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import { type Exchange, header } from '../gateway/index.js';
import type { Directory } from '../identity/index.js';
import type { OidcConfig } from './config.js';
import { consoleRoleOf } from './roles.js';
import { cookieValue, isTls, sessionCookie } from './session/http.js';
import type { ConsoleSessions } from './session/store.js';

const STATE_COOKIE = 'warden_oidc';
const PENDING_MS = 10 * 60_000;
const MAX_PENDING = 10_000;
const discoverySchema = z.object({ issuer: z.string(), authorization_endpoint: z.url(), token_endpoint: z.url(), jwks_uri: z.url() });
const callbackSchema = z.object({ code: z.string().min(1).max(4096), state: z.string().min(1).max(200) });

interface Pending {
  nonce: string;
  verifier: string;
  redirectUri: string;
  expiresAt: number;
}

export interface OidcDeps {
  config: OidcConfig;
  directory: Directory;
  sessions: ConsoleSessions;
  bus: EventBus;
  instanceId: string;
  ttlSeconds: number;
  env: NodeJS.ProcessEnv;
}

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

export class OidcSignIn {
  private readonly pending = new Map<string, Pending>();
  private discovery: Promise<{ meta: z.infer<typeof discoverySchema>; jwks: ReturnType<typeof createRemoteJWKSet> }> | undefined;

  constructor(private readonly deps: OidcDeps) {}

  /** Where to send the browser: the issuer's authorization endpoint, and the cookie binding `state` to it. */
  async login(ex: Exchange): Promise<{ location: string; cookie: string }> {
    const { meta } = await this.discover();
    const state = b64url(randomBytes(24));
    const verifier = b64url(randomBytes(32));
    const nonce = b64url(randomBytes(24));
    const redirectUri = `${ownOrigin(ex.req)}/ui/api/oidc/callback`;
    const now = Date.now();
    for (const [key, p] of this.pending) if (p.expiresAt <= now || this.pending.size >= MAX_PENDING) this.pending.delete(key);
    this.pending.set(state, { nonce, verifier, redirectUri, expiresAt: now + PENDING_MS });
    const url = new URL(meta.authorization_endpoint);
    const params = {
      response_type: 'code',
      client_id: this.deps.config.clientId,
      redirect_uri: redirectUri,
      scope: this.deps.config.scopes.join(' '),
      state,
      nonce,
      code_challenge: b64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    // Lax, not Strict: the callback is a top-level navigation coming back from the issuer's site.
    return { location: url.toString(), cookie: `${STATE_COOKIE}=${state}; Path=/ui/api/oidc; HttpOnly; SameSite=Lax; Max-Age=600${isTls(ex.req) ? '; Secure' : ''}` };
  }

  /** Completes the flow: checks state, redeems the code, verifies the id_token, opens a session. */
  async callback(ex: Exchange, query: Record<string, string | undefined>): Promise<{ cookies: string[] }> {
    const userAgent = header(ex.req, 'user-agent')?.slice(0, 256);
    const attempt = { type: 'authentication' as const, source: this.deps.instanceId, method: 'jwt' as const, sourceIp: ex.sourceIp, ...(userAgent ? { userAgent } : {}) };
    const fail = (reason: string, message: string, principal?: Identity['principal']): never => {
      this.deps.bus.publish({ ...attempt, outcome: 'failure', reason, ...(principal ? { principal: { type: principal.kind, id: principal.id, groups: principal.groups } } : {}) });
      ex.outcome = 'deny';
      throw new WardenError('invalid_token', message);
    };
    if (query.error) fail('oidc_error', `the issuer refused the sign-in: \`${query.error.slice(0, 100)}\``);
    const parsed = callbackSchema.safeParse(query);
    if (!parsed.success) return fail('oidc_bad_callback', 'the sign-in callback lacks `code` or `state`');
    const { code, state } = parsed.data;
    const bound = cookieValue(ex.req, STATE_COOKIE);
    const pending = this.pending.get(state);
    this.pending.delete(state);
    if (!bound || !sameText(bound, state) || !pending || pending.expiresAt <= Date.now()) return fail('oidc_state_mismatch', 'the sign-in was not started by this browser, or took too long: start again');
    const { meta, jwks } = await this.discover();
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: pending.redirectUri, client_id: this.deps.config.clientId, code_verifier: pending.verifier });
    if (this.deps.config.clientSecret) body.set('client_secret', resolveSecret(this.deps.config.clientSecret, 'console.oidc.clientSecret', this.deps.env));
    const res = await fetch(meta.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
    const tokens = (await res.json().catch(() => ({}))) as { id_token?: unknown };
    if (!res.ok || typeof tokens.id_token !== 'string') return fail('oidc_token_refused', `the issuer's token endpoint refused the code (${res.status})`);
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(tokens.id_token, jwks, { issuer: this.deps.config.issuer, audience: this.deps.config.clientId, clockTolerance: 60 }));
    } catch (error) {
      return fail('invalid_token', `the id_token does not verify: ${(error as Error).message.slice(0, 200)}`);
    }
    if (typeof claims.nonce !== 'string' || !sameText(claims.nonce, pending.nonce)) return fail('oidc_nonce_mismatch', 'the id_token was not issued for this sign-in');
    const subject = claims[this.deps.config.principalClaim];
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256) return fail('oidc_no_principal', `the id_token has no \`${this.deps.config.principalClaim}\` claim`);
    const principal = this.deps.directory.principal(subject);
    principal.roles = [...new Set([...principal.roles, ...this.mappedRoles(claims)])];
    const role = consoleRoleOf(principal.roles);
    if (!role) fail('no_console_role', 'your account holds no console role', principal);
    const identity: Identity = {
      principal,
      authentication: { method: 'jwt', strength: 1, mfa: false, scopes: [], ...(typeof claims.jti === 'string' ? { credentialId: claims.jti.slice(0, 200) } : {}) },
    };
    ex.identity = identity;
    const { token } = await this.deps.sessions.create(identity, role!);
    this.deps.bus.publish({ ...attempt, outcome: 'success', principal: { type: principal.kind, id: principal.id, groups: principal.groups }, mfa: false });
    return { cookies: [sessionCookie(token, ex.req, this.deps.ttlSeconds), `${STATE_COOKIE}=; Path=/ui/api/oidc; HttpOnly; SameSite=Lax; Max-Age=0${isTls(ex.req) ? '; Secure' : ''}`] };
  }

  /** The console roles the configured mapping grants for the roles claim's values. */
  private mappedRoles(claims: JWTPayload): string[] {
    const raw = claims[this.deps.config.rolesClaim];
    const values = new Set((Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(' ') : []).filter((v): v is string => typeof v === 'string'));
    return Object.entries(this.deps.config.roleMapping)
      .filter(([, claimValues]) => claimValues.some((v) => values.has(v)))
      .map(([role]) => role);
  }

  private discover(): Promise<{ meta: z.infer<typeof discoverySchema>; jwks: ReturnType<typeof createRemoteJWKSet> }> {
    this.discovery ??= (async () => {
      const res = await fetch(`${this.deps.config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
      const meta = discoverySchema.safeParse(await res.json().catch(() => undefined));
      if (!res.ok || !meta.success || meta.data.issuer !== this.deps.config.issuer) throw new WardenError('upstream_error', 'the OIDC issuer’s discovery document is unusable');
      return { meta: meta.data, jwks: createRemoteJWKSet(new URL(meta.data.jwks_uri)) };
    })();
    // A failed discovery is tried again on the next sign-in, not cached.
    this.discovery.catch(() => (this.discovery = undefined));
    return this.discovery;
  }
}

function ownOrigin(req: IncomingMessage): string {
  return `${isTls(req) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
