/**
 * The `limits:` section: rate limits and budgets (OWASP LLM10, denial of wallet). Each rule counts
 * requests or tokens per principal, group, model and/or route over a fixed or sliding window.
 *
 * @example
 * limitsConfigSchema.parse({ rules: [{ name: 'chat-per-user', per: ['principal'], requests: 60, window: '1m' }] })
 */
import { z } from 'zod';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest window: a counter's keys live two windows, and a month is the longest budget period asked for. */
const MAX_WINDOW_MS = 31 * UNITS.d!;

/** `30s`, `1m`, `1h`, `1d` (an integer and a unit) to milliseconds. */
export const durationSchema = z
  .string()
  .regex(/^[1-9]\d{0,5}[smhd]$/, 'expected a duration such as `30s`, `1m`, `1h` or `1d`')
  .transform((v) => Number(v.slice(0, -1)) * UNITS[v.slice(-1)]!)
  .pipe(z.number().min(1000).max(MAX_WINDOW_MS, 'a window is at most 31 days'));

const DIMENSIONS = ['principal', 'group', 'model', 'route'] as const;
export type LimitDimension = (typeof DIMENSIONS)[number];

const names = z.array(z.string().min(1).max(200)).min(1).max(1000);

export const limitRuleSchema = z
  .object({
    /** Names the counter (with the window) and is what a 429 and the decision event report. */
    name: z.string().regex(/^[\w.-]{1,64}$/, 'expected letters, digits, `_`, `.` or `-` (at most 64)'),
    /** One counter per distinct value of these; none: one counter for every request the rule matches. */
    per: z
      .array(z.enum(DIMENSIONS))
      .max(DIMENSIONS.length)
      .default(['principal'])
      .refine((v) => new Set(v).size === v.length, 'a dimension is named twice'),
    /** Which requests the rule applies to; an absent list matches everything. */
    match: z
      .object({
        principals: names.optional(),
        groups: names.optional(),
        models: names.optional(),
        /** `openai.chat`, `openai.completion`, `openai.embedding` or `route.NAME` for a generic route. */
        routes: names.optional(),
      })
      .prefault({}),
    requests: z.number().int().min(1).max(1e12).optional(),
    tokens: z.number().int().min(1).max(1e15).optional(),
    window: durationSchema,
    /** `sliding` weighs the previous window by how much of it still overlaps; `fixed` resets at each boundary. */
    algorithm: z.enum(['sliding', 'fixed']).default('sliding'),
  })
  .refine((r) => (r.requests === undefined) !== (r.tokens === undefined), { message: 'exactly one of `requests` or `tokens` is required' })
  // A caller can be in any number of groups (a token's claim lists them): a group counter is kept only for
  // the groups the rule names, so the number of counters a request touches is bounded by the configuration.
  .refine((r) => !r.per.includes('group') || r.match.groups !== undefined, { message: '`per: [group]` needs `match.groups` (the groups that get a counter)', path: ['match', 'groups'] });

export const limitsConfigSchema = z
  .object({
    rules: z.array(limitRuleSchema).max(256).default([]),
    /**
     * With Redis unreachable (or too slow): false (the default) refuses requests that a rule applies to with
     * 503 `limits_unavailable`; true lets them through unlimited, logging each and counting it in
     * `warden_limits_unavailable_total`.
     */
    failOpen: z.boolean().default(false),
    /** Redis key prefix, so that several clusters or tests can share one Redis. */
    keyPrefix: z.string().regex(/^[\w.:-]{1,64}$/).default('warden:limits:'),
    /** How long a Redis command may take before it counts as unreachable. */
    redisTimeoutMs: z.number().int().min(10).max(10_000).default(250),
  })
  .refine((c) => new Set(c.rules.map((r) => r.name)).size === c.rules.length, { message: 'two limit rules have the same name', path: ['rules'] });

export type LimitsConfig = z.infer<typeof limitsConfigSchema>;
export type LimitRule = z.infer<typeof limitRuleSchema>;
