/**
 * The guard: what the gateway calls on the request path. Input inspection (injection + DLP) of an
 * OpenAI-style body, streaming output inspection, canaries for system-prompt leaks, and the detection
 * events to publish. Everything is synchronous and in memory; nothing here touches the network or disk.
 *
 * @example
 * const guard = createGuard(config.guard);
 * const route = guard.routeOptions('chat', decision.obligations);
 * const input = guard.inspectRequest(body, route);          // context → Cedar `context.guard`
 * if (input.blocked) return deny(input.blocked);
 * const { body: forwarded, canary } = guard.withCanary(input.body);
 * const output = guard.createOutputInspector({ route, canaries: canary ? [canary] : [], vault: input.tokenVault });
 */
import type { NewEvent, EntityRef, Obligation } from '../core/index.js';
import { guardConfigSchema, resolveRouteOptions, type GuardConfig, type GuardConfigInput, type RouteGuardOptions } from './config.js';
import type { TokenVault } from './dlp/index.js';
import { createCascade, detectInjection, type CascadeDetector, type ModelTier } from './injection/index.js';
import { createCanary } from './output/canary.js';
import { createOutputInspector } from './output/inspector.js';
import { withCanary } from './request/canary.js';
import { extractSegments } from './request/extract.js';
import { inspectRequest, type InjectionDetector } from './request/inspect.js';
import type { GuardFinding, OutputInspector, RequestInspection } from './types.js';

export { guardConfigSchema, routeGuardSchema, routeGuardOverrideSchema, resolveRouteOptions, DEFAULT_INPUT_ACTIONS, DEFAULT_OUTPUT_ACTIONS } from './config.js';
export type { GuardConfig, GuardConfigInput, RouteGuardOptions, GuardObligation } from './config.js';
export type { GuardFinding, GuardFindingType, GuardContext, GuardBlock, RequestInspection, OutputInspector, OutputChunkResult } from './types.js';
export { scanText, TokenVault, DLP_TYPES, PII_TYPES, type DlpType, type DlpFinding, type DlpAction } from './dlp/index.js';
export { decodeBody } from './request/decode.js';
export { createCanary } from './output/canary.js';
export { defaultInjectionModel, detectInjection, loadModelTierFromDisk, type ModelTier } from './injection/index.js';
export type { InjectionDetector } from './request/inspect.js';

export interface Guard {
  readonly config: GuardConfig;
  /** Options for one request: config defaults, the route's override, then DLP obligations from the decision. */
  routeOptions(route?: string, obligations?: Obligation[]): RouteGuardOptions;
  inspectRequest(body: unknown, route: RouteGuardOptions, options?: { vault?: TokenVault }): RequestInspection;
  /**
   * The same, with the optional model tier (`guard.injection.model`): texts the built-in detector is unsure
   * about are re-scored by the model within its latency budget first. Without a tier, inspectRequest.
   */
  inspectRequestAsync(body: unknown, route: RouteGuardOptions, options?: { vault?: TokenVault }): Promise<RequestInspection>;
  createOutputInspector(options: { route: RouteGuardOptions; canaries?: string[]; vault?: TokenVault }): OutputInspector;
  /** A fresh canary token to place in a system prompt (see withCanary). */
  systemPromptCanary(): string;
  /** A copy of a chat body with a fresh canary added to its system prompt, and that canary. */
  withCanary(body: unknown): { body: unknown; canary?: string };
  /** One detection event per finding (never the raw value), for the bus. */
  detectionEvents(findings: GuardFinding[], ctx: { entity: EntityRef; requestId?: string; direction: 'input' | 'output'; route?: string }): NewEvent[];
}

const SEVERITY: Record<string, 'info' | 'low' | 'medium' | 'high' | 'critical'> = {
  INJECTION: 'high',
  TOOL_INJECTION: 'high',
  CANARY_LEAK: 'critical',
  EXFILTRATION: 'high',
  SECRET: 'high',
  CREDIT_CARD: 'medium',
  SSN: 'medium',
  NATIONAL_ID: 'medium',
  IBAN: 'medium',
  URL_CREDENTIALS: 'high',
};

export interface GuardDeps {
  detectInjection?: InjectionDetector;
  /** The loaded model tier (see loadModelTierFromDisk); used when `guard.injection.model` is configured. */
  modelTier?: ModelTier;
  /** Told of every failure inside an inspection (request or answer), so that a guard bug is logged, not hidden. */
  onInternalError?: (error: unknown, where: 'request' | 'output') => void;
}

export function createGuard(input: GuardConfig | GuardConfigInput = {}, deps: GuardDeps = {}): Guard {
  const config = guardConfigSchema.parse(input);
  const detect: InjectionDetector = deps.detectInjection ?? ((text, o) => detectInjection(text, o));
  const { onInternalError } = deps;
  const tierConfig = config.injection.model;
  const cascade: CascadeDetector | undefined = deps.modelTier && tierConfig ? createCascade((text, o) => detect(text, { kind: o?.kind ?? 'prompt' }), deps.modelTier, tierConfig) : undefined;
  const inspect = (body: unknown, route: RouteGuardOptions, options: { vault?: TokenVault } | undefined, detector: InjectionDetector): RequestInspection => {
    if (!config.enabled) return { context: { injectionScore: 0, flagged: false, piiTypes: [], secretTypes: [] }, findings: [], body, unscanned: [], truncated: false, latencyMs: 0 };
    return inspectRequest(body, route, { detectInjection: detector, ...(onInternalError ? { onInternalError: (e) => onInternalError(e, 'request') } : {}) }, options);
  };
  return {
    config,
    routeOptions: (route, obligations) => resolveRouteOptions(config, route, obligations ?? []),
    inspectRequest: (body, route, options) => inspect(body, route, options, detect),
    inspectRequestAsync: async (body, route, options) => {
      if (!cascade || !config.enabled || !route.injection.enabled) return inspect(body, route, options, detect);
      let items: Array<{ text: string; kind: 'prompt' | 'document' }>;
      try {
        items = extractSegments(body, route.maxDepth).segments.map((s) => ({ text: s.text, kind: s.kind }));
      } catch {
        // A body that cannot be read: the synchronous inspection refuses it with its own clear error.
        return inspect(body, route, options, detect);
      }
      const results = await cascade(items);
      const refined = new Map(items.map((it, i) => [`${it.kind}\u0000${it.text}`, results[i]]));
      return inspect(body, route, options, (text, o) => refined.get(`${o.kind}\u0000${text}`) ?? detect(text, o));
    },
    createOutputInspector: ({ route, canaries, vault }) => {
      if (!config.enabled) return { push: (d) => ({ text: vault ? vault.detokenize(d) : d }), end: () => ({ text: '', findings: [] }) };
      return createOutputInspector({ route, canaries: canaries ?? [], ...(vault ? { vault } : {}), classifyAnswer: (segment) => detect(segment, { kind: 'answer' }), ...(onInternalError ? { onInternalError: (e: unknown) => onInternalError(e, 'output') } : {}) });
    },
    systemPromptCanary: createCanary,
    withCanary: (body) => withCanary(body, createCanary()),
    detectionEvents: (findings, ctx) =>
      findings.map((f) => ({
        type: 'detection' as const,
        detector: f.type === 'INJECTION' || f.type === 'TOOL_INJECTION' ? 'guard.injection' : f.type === 'CANARY_LEAK' || f.type === 'EXFILTRATION' ? 'guard.output' : 'guard.dlp',
        category: f.type.toLowerCase(),
        entity: ctx.entity,
        score: f.confidence,
        severity: SEVERITY[f.type] ?? 'low',
        explanation: `${f.type}${f.subtype ? ` (${f.subtype})` : ''} in the ${ctx.direction}${f.path ? ` at ${f.path}` : ''}; action: ${f.action}`,
        details: { direction: ctx.direction, action: f.action, reasons: f.reasons, start: f.start, end: f.end, ...(f.subtype ? { subtype: f.subtype } : {}), ...(f.messageIndex !== undefined ? { messageIndex: f.messageIndex } : {}), ...(ctx.route ? { route: ctx.route } : {}) },
        ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
      })),
  };
}
export { normalizeUnicode } from './normalize/index.js';
