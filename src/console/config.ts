/** The `console:` configuration section: the web console at `/ui` and its sessions. */
import { z } from 'zod';

/** Sign-in with an OpenID Connect issuer (authorization code + PKCE); see oidc.ts. */
export const oidcConfigSchema = z
  .object({
    /** The issuer URL, exactly as its discovery document and id_tokens name it. */
    issuer: z.url(),
    clientId: z.string().min(1).max(300),
    /** `env:NAME` or `file:PATH`; absent for a public client (PKCE alone). */
    clientSecret: z.string().min(1).max(500).optional(),
    scopes: z.array(z.string().min(1).max(100)).min(1).max(20).default(['openid', 'profile', 'email']),
    /** The claim whose value is the principal id. */
    principalClaim: z.string().min(1).max(100).default('sub'),
    /** The claim listing the user's groups or roles at the issuer. */
    rolesClaim: z.string().min(1).max(100).default('groups'),
    /** Console role → values of the roles claim that grant it. */
    roleMapping: z.partialRecord(z.enum(['admin', 'analyst', 'auditor']), z.array(z.string().min(1).max(300)).max(100)).default({}),
  })
  .strict();

export type OidcConfig = z.infer<typeof oidcConfigSchema>;

export const consoleConfigSchema = z
  .object({
    /** Serve the console at `/ui` (its API at `/ui/api`). */
    enabled: z.boolean().default(true),
    /** A session ends this long after sign-in, whatever its use. */
    sessionTtlMinutes: z.number().int().min(1).max(24 * 60).default(8 * 60),
    /** A session ends after this long without a request. */
    idleTimeoutMinutes: z.number().int().min(1).max(24 * 60).default(30),
    /** At most this many sessions at once; the oldest is ended beyond it. */
    maxSessions: z.number().int().min(1).max(100_000).default(1000),
    /** Admin actions need a factor verified on the session this recently (when `mfa.enabled`). */
    adminMfaMinutes: z.number().int().min(1).max(24 * 60).default(10),
    /** Sign-in with the organisation's OIDC issuer, beside API-key sign-in. */
    oidc: oidcConfigSchema.optional(),
  })
  .prefault({});

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
