/** The `mfa:` section of Warden's configuration (step-up, factors, session tokens). Every value has a default. */
import { z } from 'zod';

export const mfaConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Shown in authenticator apps next to the account name. */
    issuer: z.string().min(1).max(100).default('Warden'),
    /**
     * The URL users reach Warden at (links in 401 answers, the WebAuthn origin). Empty: the API listener's
     * address, with `localhost` for a loopback host (WebAuthn accepts no IP address as a relying party).
     */
    publicUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
    /** WebAuthn relying-party id; empty: the host of `publicUrl`. */
    rpId: z.string().max(253).default(''),
    /** How long a step-up challenge (the link in a 401) can be completed. */
    challengeTtlSeconds: z.number().int().min(30).max(3600).default(600),
    /** Lifetime of a session token issued by a completed step-up. */
    sessionTokenTtlSeconds: z.number().int().min(30).max(86_400).default(900),
    /** How long an API key stays elevated after its owner completed a step-up for it. */
    apiKeyElevationSeconds: z.number().int().min(30).max(86_400).default(900),
    /** How long an enrolment link an administrator issues stays usable (once). */
    enrolLinkTtlSeconds: z.number().int().min(60).max(30 * 86_400).default(86_400),
    /** Lifetime of a browser session started by an enrolment link or a step-up. */
    browserSessionSeconds: z.number().int().min(60).max(86_400).default(1800),
    /** Failed verifications within `windowSeconds` that lock the principal's factors for `lockSeconds`. */
    lockout: z
      .object({
        maxFailures: z.number().int().min(1).max(100).default(5),
        windowSeconds: z.number().int().min(10).max(86_400).default(300),
        lockSeconds: z.number().int().min(10).max(86_400).default(900),
      })
      .prefault({}),
    /** Accepted clock difference for DPoP proofs' `iat`. */
    dpopSkewSeconds: z.number().int().min(5).max(300).default(60),
    /**
     * With the cluster's Redis (`cluster.redisUrl`, `WARDEN_REDIS_URL`) the lock-out and the DPoP replay
     * cache are shared there: key prefix (several clusters, or tests, can share one Redis) and how long a
     * command may take before Redis counts as unreachable (and the request is refused).
     */
    redis: z
      .object({
        keyPrefix: z.string().regex(/^[\w.:-]{1,64}$/).default('warden:mfa:'),
        timeoutMs: z.number().int().min(10).max(10_000).default(250),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type MfaConfig = z.infer<typeof mfaConfigSchema>;
