/**
 * Warden's configuration: one YAML file validated by this schema. Every value has a default so that
 * Warden starts with no file at all (the embedded demo). Secrets are never written inline in examples:
 * `apiKey: env:OPENAI_API_KEY` or `file:/run/secrets/key` (see secret.ts).
 */
import { z } from 'zod';
import { auditConfigSchema } from '../audit/index.js';
import { clusterConfigSchema } from '../cluster/index.js';
import { consoleConfigSchema } from '../console/index.js';
import { exportConfigSchema } from '../export/index.js';
import { guardConfigSchema } from '../guard/index.js';
import { integrityConfigSchema } from '../integrity/index.js';
import { riskConfigSchema } from '../risk/index.js';
import { limitsConfigSchema } from '../limits/index.js';
import { mcpConfigSchema } from '../mcp/index.js';
import { responseConfigSchema } from '../response/index.js';
import { mfaConfigSchema } from '../mfa/index.js';
import { signalsConfigSchema } from '../signals/index.js';
import { accessConfigSchema } from '../access/index.js';

const principalKind = z.enum(['User', 'Service', 'Agent']);

export const principalSchema = z.object({
  id: z.string().min(1).max(200),
  kind: principalKind.default('User'),
  attributes: z.record(z.string(), z.unknown()).default({}),
  groups: z.array(z.string().min(1)).default([]),
  roles: z.array(z.string().min(1)).default([]),
  /** For agents: the users (or groups, as `group:ID`) this agent may act for. */
  mayActFor: z.array(z.string().min(1)).default([]),
});

/** SHA-256 of a certificate's DER bytes, as hex with or without colons (`openssl x509 -fingerprint -sha256`). */
const certificateFingerprint = z
  .string()
  .transform((v) => v.replace(/:/g, '').toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 certificate fingerprint (64 hex digits)'));

export const deviceSchema = z.object({
  id: z.string().min(1).max(200),
  /** The only principal this device is accepted for (the user, or the user an agent acts for). */
  owner: z.string().optional(),
  /** Client certificates enrolled for this device: presenting one on the mTLS listener proves the device. */
  certificates: z.array(certificateFingerprint).default([]),
  managed: z.boolean().default(false),
  compliant: z.boolean().default(false),
  osPatched: z.boolean().default(false),
  diskEncrypted: z.boolean().default(false),
  platform: z.string().default('unknown'),
});

const jwtIssuerSchema = z
  .object({
    issuer: z.string().min(1),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    jwksUri: z.url().optional(),
    jwksFile: z.string().min(1).optional(),
    algorithms: z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])).min(1).default(['RS256', 'ES256']),
    clockSkewSeconds: z.number().int().min(0).max(300).default(30),
    /**
     * `acr` values of this issuer that mean multi-factor authentication, matched exactly (e.g. Okta's
     * `urn:okta:loa:2fa:any`, OpenID's `phr`). `amr` is read against RFC 8176 without configuration.
     */
    mfaAcrValues: z.array(z.string().min(1).max(500)).max(50).default([]),
    /** Bounds how often an unknown `kid` may trigger a JWKS refetch. */
    jwksCooldownSeconds: z.number().int().min(1).max(3600).default(30),
    jwksCacheMaxAgeSeconds: z.number().int().min(10).max(86400).default(600),
    /** Claim names that map to the principal. */
    claims: z
      .object({
        subject: z.string().default('sub'),
        kind: z.string().default('warden_kind'),
        groups: z.string().default('groups'),
        roles: z.string().default('roles'),
        device: z.string().default('device_id'),
      })
      .prefault({}),
  })
  .refine((v) => Boolean(v.jwksUri) !== Boolean(v.jwksFile), { message: 'exactly one of `jwksUri` or `jwksFile` is required' });

const upstreamSchema = z.object({
  name: z.string().min(1),
  // `localhost:9100` parses as a URL with the scheme `localhost:`: only http and https are upstreams.
  baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  /** `env:NAME`, `file:PATH` or empty for none; never logged or returned. */
  apiKey: z.string().default(''),
  /** Header the credential goes in; `authorization` sends `Bearer <key>`. */
  apiKeyHeader: z.string().default('authorization'),
  timeoutMs: z.number().int().min(100).max(600_000).default(60_000),
  connectTimeoutMs: z.number().int().min(50).max(60_000).default(5_000),
  connections: z.number().int().min(1).max(4096).default(128),
});

const modelSchema = z.object({
  id: z.string().min(1),
  upstream: z.string().min(1),
  /** Model name sent upstream, when it differs from the id clients use. */
  upstreamModel: z.string().optional(),
  sensitivity: z.enum(['public', 'internal', 'confidential', 'restricted']).default('internal'),
  owner: z.string().default(''),
  monitorOnly: z.boolean().default(false),
});

const routeSchema = z.object({
  name: z.string().min(1),
  methods: z.array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])).min(1),
  /** Path pattern with `:param` segments and an optional trailing `*`, e.g. `/datasets/:id/*`. */
  path: z.string().startsWith('/'),
  /** Cedar action id, or a map from method to action id. */
  action: z.union([z.string().min(1), z.record(z.string(), z.string().min(1))]),
  resource: z.object({
    type: z.string().min(1),
    /** Template over path params, e.g. `{id}`. */
    id: z.string().min(1),
    attributes: z.record(z.string(), z.unknown()).default({}),
  }),
  upstream: z.string().min(1),
  /** Path sent upstream; template over params; default: the request path. */
  upstreamPath: z.string().optional(),
  monitorOnly: z.boolean().default(false),
});

export const configSchema = z.object({
  server: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      maxBodyBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(4 * 1024 * 1024),
      /** Trust X-Forwarded-For from these proxy addresses only. */
      trustedProxies: z.array(z.string()).default([]),
      requestTimeoutMs: z.number().int().min(1000).default(300_000),
      /**
       * A separate listener serving only `GET /metrics` without credentials, for a private network. On the
       * API port `/metrics` needs a credential with the `metrics` or `admin` role.
       */
      metrics: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535) }).optional(),
      tls: z
        .object({
          port: z.number().int().min(0).max(65535),
          cert: z.string().min(1),
          key: z.string().min(1),
          ca: z.string().min(1),
          /** Require a client certificate (mTLS) on the TLS listener. */
          requireClientCert: z.boolean().default(true),
        })
        .optional(),
    })
    .prefault({}),
  dataDir: z.string().default('.warden'),
  log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  identity: z
    .object({
      jwt: z.array(jwtIssuerSchema).default([]),
      apiKeys: z.object({ enabled: z.boolean().default(true) }).prefault({}),
      mtls: z.object({ enabled: z.boolean().default(true) }).prefault({}),
      /** Header an agent uses to name the user it acts for (API key or mTLS agents). */
      onBehalfOfHeader: z.string().default('x-warden-on-behalf-of'),
      /**
       * Header naming the client's device; believed only from a peer in `server.trustedProxies` (a proxy
       * that verified the device itself). From anyone else it is ignored: the device is unproven.
       */
      deviceHeader: z.string().default('x-warden-device'),
    })
    .prefault({}),
  principals: z.array(principalSchema).default([]),
  devices: z.array(deviceSchema).default([]),
  policy: z
    .object({
      /** Directory of `.cedar` files; empty means the embedded demo policies. */
      dir: z.string().default(''),
      schemaFile: z.string().default(''),
      /** Static entities (groups hierarchy, resources) in Cedar JSON entity format. */
      entitiesFile: z.string().default(''),
      engine: z.enum(['compiled', 'wasm']).default('compiled'),
      /** How often a running Warden looks for a policy version activated by another process. */
      reloadCheckMs: z.number().int().min(100).max(60_000).default(1000),
    })
    .prefault({}),
  upstreams: z.array(upstreamSchema).default([]),
  models: z.array(modelSchema).default([]),
  routes: z.array(routeSchema).default([]),
  guard: guardConfigSchema,
  audit: auditConfigSchema,
  risk: riskConfigSchema.prefault({}),
  integrity: integrityConfigSchema,
  export: exportConfigSchema,
  limits: limitsConfigSchema.prefault({}),
  cluster: clusterConfigSchema,
  /** The MCP gateway: servers at `/mcp/<name>` (src/mcp, docs/mcp.md). */
  mcp: mcpConfigSchema,
  response: responseConfigSchema.prefault({}),
  console: consoleConfigSchema,
  mfa: mfaConfigSchema,
  /** Shared Signals (CAEP/RISC) receiver and transmitter, device posture (src/signals, docs/signals.md). */
  signals: signalsConfigSchema,
  /** Just-in-time elevation: requestable roles and their approvers (src/access, docs/identity.md). */
  access: accessConfigSchema,
  demo: z
    .object({
      /** Start the built-in OpenAI-compatible demo upstream on loopback. */
      upstream: z.boolean().default(false),
      upstreamPort: z.number().int().min(0).max(65535).default(0),
      /**
       * Demo API keys: made at random once per data directory, stored, and printed at every start. Only
       * the embedded demo configuration sets these.
       */
      apiKeys: z.array(z.object({ principal: z.string().min(1), name: z.string().min(1) })).default([]),
      /**
       * Serve a demo (the embedded configuration, or any with `demo.apiKeys`, whose keys are printed in
       * the clear) on an address other than loopback. Off: such a start is refused. Also `--allow-remote-demo`.
       */
      allowNonLoopback: z.boolean().default(false),
    })
    .prefault({}),
});

export type WardenConfig = z.infer<typeof configSchema>;
export type PrincipalConfig = z.infer<typeof principalSchema>;
export type DeviceConfig = z.infer<typeof deviceSchema>;
export type JwtIssuerConfig = WardenConfig['identity']['jwt'][number];
export type UpstreamConfig = WardenConfig['upstreams'][number];
export type ModelConfig = WardenConfig['models'][number];
export type RouteConfig = WardenConfig['routes'][number];
