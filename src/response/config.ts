/**
 * The `response:` section: playbooks that turn what Warden sees (detections, risk crossing a threshold,
 * guard findings, integrity tamper events) into actions, with the safeguards that keep an attacker from
 * using them to lock the organisation out (rate limits, protected principals, dry-run, approval).
 *
 * @example
 * responseConfigSchema.parse({ playbooks: [{ name: 'p', trigger: { events: ['detection'] }, actions: [{ type: 'quarantine' }] }] });
 */
import { z } from 'zod';
import { parseNetwork } from './network.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'expected letters, digits, `.`, `_` or `-` (at most 100)');
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const seconds = (max: number) => z.number().int().min(1).max(max);

/** An action that an analyst must approve first, within the deadline (else it is dropped). */
const approval = z.object({ required: z.boolean().default(true), deadlineSeconds: seconds(7 * 86_400).default(3600) }).optional();
const common = { approval, durationSeconds: seconds(30 * 86_400).default(900) };

const actionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('revoke_credentials'), ...common }),
  /** `mode: step_up` only asks for fresh MFA instead of refusing. */
  z.object({ type: z.literal('quarantine'), mode: z.enum(['deny', 'step_up']).default('deny'), ...common }),
  z.object({ type: z.literal('require_step_up'), ...common }),
  z.object({ type: z.literal('quarantine_asset'), ...common }),
  z.object({ type: z.literal('isolate_device'), ...common }),
  /** Without `network` the event's source address is blocked; with it, that CIDR. */
  z.object({ type: z.literal('block_source'), network: z.string().min(1).max(64).refine((v) => parseNetwork(v) !== undefined, 'expected an IP address or a CIDR network').optional(), ...common }),
  z.object({
    type: z.literal('notify'),
    url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
    /** `env:NAME` or `file:PATH`: the HMAC-SHA256 key; never logged. */
    secret: z.string().min(1),
    format: z.enum(['json', 'slack', 'teams']).default('json'),
    approval,
  }),
]);

const triggerSchema = z
  .object({
    /** Event types that can fire the playbook: `detection`, `risk`, `asset` (guard findings are detections of `guard.*`). */
    events: z.array(z.enum(['detection', 'risk', 'asset'])).min(1),
    /** Detector names (a trailing `*` matches a prefix), e.g. `guard.injection`, `risk.*`. */
    detectors: z.array(z.string().min(1).max(100)).max(100).optional(),
    minSeverity: z.enum(SEVERITIES).optional(),
    /** For `risk` events: fire when the score rises to at least this. */
    riskAtLeast: z.number().int().min(1).max(100).optional(),
    /** For `asset` events: the changes that fire, default `tampered`. */
    assetChanges: z.array(z.enum(['tampered', 'verification_failed', 'marked_suspect'])).default(['tampered']),
    /** Kinds of the entity concerned (`User`, `Agent`, `Service`, `Device`, `Model`...). */
    entityKinds: z.array(z.string().min(1).max(100)).max(20).optional(),
    /** Exact matches on event fields by dotted path, e.g. `{ "details.direction": "input" }`; a list means any of. */
    match: z.record(z.string().min(1).max(200), z.union([scalar, z.array(scalar).min(1).max(1000)])).optional(),
    /** Fire only at the Nth matching event for one entity within the window (repeated attempts). */
    count: z.object({ atLeast: z.number().int().min(2).max(10_000), withinSeconds: seconds(86_400) }).optional(),
  });

export const playbookSchema = z.object({
  name,
  enabled: z.boolean().default(true),
  /** Record what would have been done, enforce nothing. */
  dryRun: z.boolean().default(false),
  trigger: triggerSchema,
  /** Beyond `maxTargets` distinct entities acted on within the window, actions wait for a person. */
  rateLimit: z.object({ maxTargets: z.number().int().min(1).max(100_000).default(5), windowSeconds: seconds(7 * 86_400).default(3600) }).prefault({}),
  actions: z.array(actionSchema).min(1).max(20),
});

export const responseConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Break-glass principals: stepped up, never locked out (quarantine becomes step-up, revocation is skipped). */
    protectedPrincipals: z.array(z.string().min(1).max(200)).max(1000).default([]),
    /** Incidents: detections of one entity within this window join one incident. */
    incidentWindowSeconds: seconds(30 * 86_400).default(3600),
    /** A detection at least this severe opens (or joins) an incident even when no playbook fires on it. */
    incidentMinSeverity: z.enum(SEVERITIES).default('high'),
    notify: z
      .object({
        /** Attempts before a notification goes to the dead-letter store (`warden response replay`). */
        maxAttempts: z.number().int().min(1).max(100).default(12),
        initialBackoffMs: z.number().int().min(10).max(600_000).default(500),
        maxBackoffMs: z.number().int().min(100).max(3_600_000).default(60_000),
        timeoutMs: z.number().int().min(100).max(60_000).default(5000),
      })
      .prefault({}),
    playbooks: z.array(playbookSchema).max(200).default([]),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.playbooks.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['playbooks', i, 'name'], message: `duplicate playbook name \`${p.name}\`` });
      seen.add(p.name);
      if (p.trigger.events.includes('risk') && p.trigger.riskAtLeast === undefined) ctx.addIssue({ code: 'custom', path: ['playbooks', i, 'trigger', 'riskAtLeast'], message: 'a playbook on `risk` events needs `riskAtLeast`' });
    });
  });

export type ResponseConfig = z.infer<typeof responseConfigSchema>;
export type Playbook = z.infer<typeof playbookSchema>;
export type PlaybookAction = Playbook['actions'][number];
export type ActionType = PlaybookAction['type'];
