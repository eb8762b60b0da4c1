/**
 * The `guard:` section of the configuration (zod, every value defaulted so Warden starts without a file),
 * and the per-route options a request is inspected with. A route may override any part under
 * `guard.routes.<routeName>`; Cedar obligations (see resolveRouteOptions) tighten or set DLP actions per type.
 *
 * @example
 * const config = guardConfigSchema.parse({}); // all defaults
 * const route = resolveRouteOptions(config, 'chat', [{ type: 'dlp', action: 'tokenize', types: ['EMAIL'] }]);
 */
import { z } from 'zod';
import { DLP_ACTIONS, DLP_TYPES, type DlpAction, type DlpType } from './dlp/index.js';

const action = z.enum(DLP_ACTIONS);
const actionMap = z.partialRecord(z.enum(DLP_TYPES), action);

/** Input (request) defaults: secrets and payment data never reach the model; contact data passes. */
export const DEFAULT_INPUT_ACTIONS: Record<DlpType, DlpAction> = {
  SECRET: 'redact',
  URL_CREDENTIALS: 'redact',
  CREDIT_CARD: 'redact',
  SSN: 'redact',
  NATIONAL_ID: 'redact',
  IBAN: 'mask',
  CRYPTO_WALLET: 'allow',
  EMAIL: 'allow',
  PHONE: 'allow',
  IP: 'allow',
  MAC_ADDRESS: 'allow',
  PERSON: 'allow',
  ADDRESS: 'allow',
};

/** Output (answer) defaults: the same, applied in flight. */
export const DEFAULT_OUTPUT_ACTIONS: Record<DlpType, DlpAction> = { ...DEFAULT_INPUT_ACTIONS };

const routeShape = {
  /** `closed`: an internal error in the guard refuses the request; `open`: it passes uninspected (logged). */
  failMode: z.enum(['closed', 'open']).default('closed'),
  /** Most characters of text scanned per request (all messages together). */
  maxScanChars: z.number().int().min(1_000).max(50_000_000).default(1_000_000),
  /** Over the limit: `reject` with content_too_large, or `truncate` (scan the first maxScanChars, mark `truncated`). */
  overLimit: z.enum(['reject', 'truncate']).default('reject'),
  /** Deepest JSON nesting accepted in a request body. */
  maxDepth: z.number().int().min(4).max(1_000).default(64),
  injection: z
    .object({
      enabled: z.boolean().default(true),
      /** Score (0..1) at or above which a text is flagged; the trained model's threshold when absent. */
      threshold: z.number().min(0).max(1).optional(),
      /** What a flagged user/system message does: `block` the request or only `flag` it (context + event). */
      promptAction: z.enum(['block', 'flag']).default('block'),
      /** What a flagged document (tool result, retrieved text, assistant history) does. */
      documentAction: z.enum(['block', 'flag']).default('block'),
      /**
       * The optional model tier: a local directory with an ONNX classifier and its tokenizer (see
       * docs/guard-injection.md). Only texts the built-in detector is unsure about go to it. Read once at
       * start from the top-level `guard.injection.model`; never downloaded.
       */
      model: z
        .object({
          dir: z.string().min(1),
          /** Built-in scores in [low, high) are sent to the model. */
          band: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.2, 0.9]).refine(([low, high]) => low < high, 'band must be [low, high] with low < high'),
          /** Longest wait for the model per request, in ms; past it the built-in verdict stands. */
          budgetMs: z.number().int().min(1).max(10_000).default(100),
          /** Most texts per inference call. */
          maxBatch: z.number().int().min(1).max(256).default(8),
          /** Model probability at or above which a text is flagged. */
          threshold: z.number().min(0).max(1).default(0.5),
        })
        .strict()
        .optional(),
    })
    .prefault({}),
  dlp: z
    .object({
      enabled: z.boolean().default(true),
      /**
       * Run the PERSON and ADDRESS tagger (best effort, reported, never acted on unless configured). Off by
       * default: it costs about twice the rest of the DLP scan on every request (docs/dlp.md, "Speed").
       */
      bestEffort: z.boolean().default(false),
      /** Findings below this confidence are ignored. */
      minConfidence: z.number().min(0).max(1).default(0.5),
      input: actionMap.default({}),
      output: actionMap.default({}),
    })
    .prefault({}),
  output: z
    .object({
      enabled: z.boolean().default(true),
      /** Hosts (exact or `*.example.com`) that answers may link to or embed images from. */
      allowedHosts: z.array(z.string().min(1)).default([]),
      /** A link/image to another host that carries data: `redact` the URL or `stop` the stream. */
      exfiltration: z.enum(['redact', 'stop', 'flag']).default('redact'),
      /** A canary from the system prompt appears in the answer. */
      canaryLeak: z.enum(['stop', 'redact', 'flag']).default('stop'),
      /** Injection-style instructions in the answer (aimed at downstream tools or agents). */
      toolInjection: z.enum(['stop', 'flag']).default('flag'),
      /** Longest run of suspicious text held back while streaming, in characters. */
      maxHoldChars: z.number().int().min(64).max(65_536).default(4_096),
    })
    .prefault({}),
};

export const routeGuardSchema = z.object(routeShape);
/** A route's partial override: any subset of the route options. */
export const routeGuardOverrideSchema = z.object({
  failMode: routeShape.failMode.optional(),
  maxScanChars: routeShape.maxScanChars.optional(),
  overLimit: routeShape.overLimit.optional(),
  maxDepth: routeShape.maxDepth.optional(),
  injection: z.record(z.string(), z.unknown()).optional(),
  dlp: z.record(z.string(), z.unknown()).optional(),
  output: z.record(z.string(), z.unknown()).optional(),
});

export const guardConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    ...routeShape,
    /** Per-route overrides by route name. */
    routes: z.record(z.string(), routeGuardOverrideSchema).default({}),
  })
  .prefault({});

export type GuardConfig = z.infer<typeof guardConfigSchema>;
export type GuardConfigInput = z.input<typeof guardConfigSchema>;

/** `guard.injection.model`: where the optional model tier lives and how the cascade uses it. */
export interface ModelTierConfig {
  dir: string;
  band: [number, number];
  budgetMs: number;
  maxBatch: number;
  threshold: number;
}

/** Everything one request is inspected with, resolved from config, the route's override and obligations. */
export interface RouteGuardOptions {
  route: string;
  failMode: 'closed' | 'open';
  maxScanChars: number;
  overLimit: 'reject' | 'truncate';
  maxDepth: number;
  injection: { enabled: boolean; threshold?: number; promptAction: 'block' | 'flag'; documentAction: 'block' | 'flag'; model?: ModelTierConfig };
  dlp: { enabled: boolean; bestEffort: boolean; minConfidence: number; input: Record<DlpType, DlpAction>; output: Record<DlpType, DlpAction> };
  output: {
    enabled: boolean;
    allowedHosts: string[];
    exfiltration: 'redact' | 'stop' | 'flag';
    canaryLeak: 'stop' | 'redact' | 'flag';
    toolInjection: 'stop' | 'flag';
    maxHoldChars: number;
  };
}

/** An obligation from a policy decision that changes DLP actions: `{type:'dlp', action, types?, direction?}` or `{type:'redact'|'mask'|'tokenize'|'block'|'allow', types?}`. */
export interface GuardObligation {
  type: string;
  [key: string]: unknown;
}

const obligationSchema = z.object({
  action: action,
  types: z.array(z.enum(DLP_TYPES)).optional(),
  direction: z.enum(['input', 'output', 'both']).default('both'),
});

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * Resolves the options for one request. Unknown obligation types are ignored (other modules own them);
 * a malformed guard obligation throws a zod error, which the caller treats as an internal error (fail mode).
 */
export function resolveRouteOptions(config: GuardConfig, route = 'default', obligations: GuardObligation[] = []): RouteGuardOptions {
  const { routes, enabled: _enabled, ...base } = config;
  const override = routes[route];
  const merged = routeGuardSchema.parse(override ? deepMerge(base as Record<string, unknown>, override as Record<string, unknown>) : base);
  const input: Record<DlpType, DlpAction> = { ...DEFAULT_INPUT_ACTIONS, ...merged.dlp.input };
  const output: Record<DlpType, DlpAction> = { ...DEFAULT_OUTPUT_ACTIONS, ...merged.dlp.output };
  for (const o of obligations) {
    const shorthand = (DLP_ACTIONS as readonly string[]).includes(o.type);
    if (o.type !== 'dlp' && !shorthand) continue;
    const parsed = obligationSchema.parse(shorthand ? { ...o, action: o.type } : o);
    for (const t of parsed.types ?? DLP_TYPES) {
      if (parsed.direction !== 'output') input[t] = parsed.action;
      if (parsed.direction !== 'input') output[t] = parsed.action;
    }
  }
  return {
    route,
    failMode: merged.failMode,
    maxScanChars: merged.maxScanChars,
    overLimit: merged.overLimit,
    maxDepth: merged.maxDepth,
    injection: merged.injection,
    dlp: { ...merged.dlp, input, output },
    output: merged.output,
  };
}
