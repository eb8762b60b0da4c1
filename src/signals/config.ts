/**
 * The `signals:` section: the Shared Signals receiver (SETs from identity providers), the transmitter
 * (SETs Warden pushes to subscribed receivers) and device posture (signed reports, MDM/EDR webhooks).
 * Off by default; every value has a default.
 */
import { z } from 'zod';

const jwsAlgorithms = z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])).min(1).default(['RS256', 'ES256']);

/** A transmitter whose SETs Warden believes: its issuer, and its keys (a JWKS URL or a JWKS file). */
const transmitterSchema = z
  .object({
    issuer: z.string().min(1).max(500),
    jwksUri: z.url({ protocol: /^https?$/ }).optional(),
    jwksFile: z.string().min(1).optional(),
    algorithms: jwsAlgorithms,
    /**
     * How subjects name principals: `sub` of an `iss_sub` or `opaque` subject, or the `email` (matched
     * against principals' `attributes.email`, else used as the id).
     */
    subjectFormats: z.array(z.enum(['iss_sub', 'opaque', 'email'])).min(1).default(['iss_sub', 'opaque', 'email']),
  })
  .strict()
  .refine((v) => Boolean(v.jwksUri) !== Boolean(v.jwksFile), { message: 'exactly one of `jwksUri` or `jwksFile` is required' });

/** A receiver Warden pushes SETs to (RFC 8935). */
const subscriberSchema = z
  .object({
    name: z.string().min(1).max(100).regex(/^[\w.-]+$/),
    url: z.url({ protocol: /^https?$/ }),
    /** The `aud` of the SETs sent to it. */
    audience: z.string().min(1).max(500),
    /** `env:NAME` or `file:PATH`: sent as `Authorization: Bearer <secret>`; empty for none. */
    authorization: z.string().default(''),
    /** Event types to send (short names); default every one Warden transmits. */
    events: z.array(z.enum(['session-revoked', 'risk-level-change'])).min(1).default(['session-revoked', 'risk-level-change']),
  })
  .strict();

/** An MDM/EDR webhook: its payload shape and how it authenticates. */
const webhookSchema = z
  .object({
    name: z.string().min(1).max(100).regex(/^[\w.-]+$/),
    /** The payload's vocabulary: Warden's generic shape, or Intune-, Jamf- or CrowdStrike-like fields. */
    format: z.enum(['generic', 'intune', 'jamf', 'crowdstrike']).default('generic'),
    /** `env:NAME` / `file:PATH`: HMAC-SHA256 secret (`x-warden-signature` over `<timestamp>.<body>`). */
    secret: z.string().min(1).optional(),
    /** Or: the body is a JWT signed by this issuer's keys (`jwksUri`), with `aud` = `audience`. */
    jwt: z.object({ issuer: z.string().min(1), jwksUri: z.url({ protocol: /^https?$/ }), audience: z.string().min(1), algorithms: jwsAlgorithms }).strict().optional(),
  })
  .strict()
  .refine((v) => Boolean(v.secret) !== Boolean(v.jwt), { message: 'exactly one of `secret` or `jwt` is required' });

export const signalsConfigSchema = z
  .object({
    receiver: z
      .object({
        enabled: z.boolean().default(false),
        /** The `aud` SETs must carry (Warden's receiver identifier). */
        audience: z.string().min(1).max(500).default('warden'),
        transmitters: z.array(transmitterSchema).max(50).default([]),
        /** A SET older than this (`iat`) is refused; its `jti` is remembered at least this long. */
        maxAgeSeconds: z.number().int().min(30).max(7 * 86_400).default(3600),
        /** Accepted clock difference for an `iat` in the future. */
        clockSkewSeconds: z.number().int().min(0).max(300).default(60),
      })
      .strict()
      .prefault({}),
    transmitter: z
      .object({
        enabled: z.boolean().default(false),
        /** The `iss` of the SETs Warden sends; default: Warden's public URL. */
        issuer: z.string().max(500).default(''),
        /** `env:NAME` / `file:PATH`: the signing key as a private JWK (ES256 or RS256) or PKCS#8 PEM (ES256). */
        signingKey: z.string().min(1).optional(),
        receivers: z.array(subscriberSchema).max(50).default([]),
        maxAttempts: z.number().int().min(1).max(100).default(12),
        initialBackoffMs: z.number().int().min(10).max(600_000).default(500),
        maxBackoffMs: z.number().int().min(100).max(3_600_000).default(60_000),
        timeoutMs: z.number().int().min(100).max(60_000).default(5000),
      })
      .strict()
      .prefault({})
      .refine((v) => !v.enabled || v.signingKey !== undefined, { message: 'an enabled transmitter needs `signingKey`', path: ['signingKey'] }),
    posture: z
      .object({
        /** A posture fact older than this counts as non-compliant (`source` says `stale`). */
        maxAgeSeconds: z.number().int().min(60).max(30 * 86_400).default(86_400),
        /** Accepted clock difference for a report's `iat` in the future. */
        clockSkewSeconds: z.number().int().min(0).max(300).default(60),
        webhooks: z.array(webhookSchema).max(20).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type SignalsConfig = z.infer<typeof signalsConfigSchema>;
export type TransmitterConfig = SignalsConfig['receiver']['transmitters'][number];
export type SubscriberConfig = SignalsConfig['transmitter']['receivers'][number];
export type PostureWebhookConfig = SignalsConfig['posture']['webhooks'][number];
