/**
 * inspectRequest: the input side of the guard for one OpenAI-style request body. Injection detection on
 * prompts (user/system) and documents (tool results, assistant history), DLP with per-type actions on every
 * text, the Cedar context, and a transformed copy of the body. Client errors (bad shape, too large) become
 * `blocked`; an internal error follows the route's fail mode (closed: `guard_error`; open: pass, marked).
 *
 * @example
 * const r = inspectRequest(body, resolveRouteOptions(config, 'chat'), { detectInjection });
 * if (r.blocked) return reply(r.blocked.code, r.blocked.message);
 * forward(r.body);
 */
import { WardenError } from '../../core/index.js';
import type { RouteGuardOptions } from '../config.js';
import { applyActions, BEST_EFFORT_TYPES, createRedactionState, scanText, TokenVault, type DlpAction, type DlpFinding } from '../dlp/index.js';
import type { GuardBlock, GuardContext, GuardFinding, RequestInspection } from '../types.js';
import { extractSegments, type JsonPath } from './extract.js';

export type InjectionDetector = (text: string, options: { kind: 'prompt' | 'document' | 'answer'; threshold?: number }) => { score: number; flagged: boolean; reasons: string[] };

export interface InspectDeps {
  detectInjection: InjectionDetector;
  /** Told of a failure inside inspection (a guard bug), so that it is logged; the request still fails per route. */
  onInternalError?: (error: unknown) => void;
}

function setAt(root: unknown, path: JsonPath, value: string): void {
  let node = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) node = node[path[i]!] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
}

export function emptyContext(): GuardContext {
  return { injectionScore: 0, flagged: false, piiTypes: [], secretTypes: [] };
}

function inspect(body: unknown, route: RouteGuardOptions, deps: InspectDeps, vaultIn: TokenVault | undefined, t0: number): RequestInspection {
  const base = { context: emptyContext(), findings: [] as GuardFinding[], body, unscanned: [] as { path: string; type: string }[], truncated: false };
  let extraction;
  try {
    extraction = extractSegments(body, route.maxDepth);
  } catch (error) {
    if (error instanceof WardenError) return { ...base, blocked: { code: error.code, message: error.message }, latencyMs: performance.now() - t0 };
    throw error;
  }
  const unscanned = extraction.other.map((o) => ({ path: o.path.join('.'), type: o.type }));
  const total = extraction.segments.reduce((n, s) => n + s.text.length, 0);
  if (total > route.maxScanChars && route.overLimit === 'reject') {
    return { ...base, unscanned, blocked: { code: 'content_too_large', message: `the request has ${total} characters of text; the scan limit is ${route.maxScanChars}` }, latencyMs: performance.now() - t0 };
  }
  let budget = route.maxScanChars;
  const truncated = total > route.maxScanChars;
  const findings: GuardFinding[] = [];
  const piiTypes = new Set<string>();
  const secretTypes = new Set<string>();
  let maxScore = 0;
  let flagged = false;
  let blocked: GuardBlock | undefined;
  let out: unknown = body;
  let vault = vaultIn;
  const redaction = createRedactionState();
  const actionFor = (f: DlpFinding): DlpAction => route.dlp.input[f.type] ?? (BEST_EFFORT_TYPES.includes(f.type) ? 'allow' : 'redact');

  for (const seg of extraction.segments) {
    if (budget <= 0) break;
    const text = seg.text.length > budget ? seg.text.slice(0, budget) : seg.text;
    budget -= text.length;
    const path = seg.path.join('.');
    if (route.injection.enabled) {
      const r = deps.detectInjection(text, route.injection.threshold === undefined ? { kind: seg.kind } : { kind: seg.kind, threshold: route.injection.threshold });
      if (r.score > maxScore) maxScore = r.score;
      if (r.flagged) {
        flagged = true;
        const action = seg.kind === 'prompt' ? route.injection.promptAction : route.injection.documentAction;
        findings.push({ type: 'INJECTION', subtype: seg.kind, start: 0, end: text.length, messageIndex: seg.messageIndex, path, reasons: r.reasons, confidence: r.score, action: action === 'block' ? 'block' : 'allow' });
        if (action === 'block') blocked ??= { code: 'guard_blocked', message: seg.kind === 'prompt' ? 'prompt injection detected' : `injected instructions detected in a ${seg.role} message` };
      }
    }
    if (!route.dlp.enabled) continue;
    const dlp = scanText(text, { bestEffort: route.dlp.bestEffort, minConfidence: route.dlp.minConfidence });
    if (dlp.length === 0) continue;
    if (!vault && dlp.some((f) => actionFor(f) === 'tokenize')) vault = new TokenVault();
    const result = applyActions(text, dlp, actionFor, vault, redaction);
    for (const a of result.applied) {
      const f = a.finding;
      if (f.type === 'SECRET') secretTypes.add(f.subtype ?? 'secret');
      else piiTypes.add(f.type);
      findings.push({ type: f.type, ...(f.subtype ? { subtype: f.subtype } : {}), start: f.start, end: f.end, messageIndex: seg.messageIndex, path, reasons: [f.detector], confidence: f.confidence, action: a.action });
    }
    if (result.blocked) blocked ??= { code: 'guard_blocked', message: `the request contains data that may not be sent (${[...new Set(result.applied.filter((a) => a.action === 'block').map((a) => a.finding.type))].join(', ')})` };
    if (result.text !== text) {
      if (out === body) out = structuredClone(body);
      setAt(out, seg.path, text.length < seg.text.length ? result.text + seg.text.slice(text.length) : result.text);
    }
  }
  const context: GuardContext = { injectionScore: Math.round(maxScore * 100), flagged, piiTypes: [...piiTypes].sort(), secretTypes: [...secretTypes].sort() };
  return {
    context,
    findings,
    body: out,
    ...(blocked ? { blocked } : {}),
    ...(vault ? { tokenVault: vault } : {}),
    unscanned,
    truncated,
    latencyMs: performance.now() - t0,
  };
}

export function inspectRequest(body: unknown, route: RouteGuardOptions, deps: InspectDeps, options: { vault?: TokenVault } = {}): RequestInspection {
  const t0 = performance.now();
  try {
    return inspect(body, route, deps, options.vault, t0);
  } catch (error) {
    // Internal failure: reported for the log, never a stack trace to the client; the route decides.
    deps.onInternalError?.(error);
    const latencyMs = performance.now() - t0;
    if (route.failMode === 'open') return { context: emptyContext(), findings: [], body, unscanned: [], truncated: false, failedOpen: true, latencyMs };
    return {
      context: emptyContext(),
      findings: [],
      body,
      blocked: { code: 'guard_error', message: 'the guard could not inspect the request' },
      unscanned: [],
      truncated: false,
      latencyMs,
    };
  }
}
