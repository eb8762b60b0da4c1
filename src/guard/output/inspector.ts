/**
 * createOutputInspector: checks an answer while it streams. Each `push(delta)` releases what is safe now:
 * the released part is scanned together with up to 256 characters released before (a sliding window), so a
 * secret or an email split across chunks is still whole when scanned; only a trailing piece that could still
 * grow into something sensitive is held back (see holdback.ts). Checks: DLP with per-type output actions
 * (mask/redact in flight, `block` ends the stream), canary leaks, exfiltration links, injection-style
 * instructions (per completed line or sentence, see answer-classifier.ts). Vault tokens (`[EMAIL_1]`) are restored
 * for the client.
 *
 * @example
 * const out = createOutputInspector({ route, canaries: [canary], vault, classifyAnswer });
 * for await (const delta of upstream) { const r = out.push(delta); send(r.text); if (r.stop) return sendError(r.stop); }
 * const last = out.end(); send(last.text);
 */
import type { RouteGuardOptions } from '../config.js';
import { BEST_EFFORT_TYPES, maskValue, scanText, type DlpAction, type TokenVault } from '../dlp/index.js';
import type { GuardBlock, GuardFinding, OutputChunkResult, OutputInspector } from '../types.js';
import { createAnswerInstructionScanner, type AnswerClassifier } from './answer-classifier.js';
import { findCanary } from './canary.js';
import { findExfiltration } from './exfiltration.js';
import { holdLength } from './holdback.js';

export interface OutputInspectorOptions {
  route: RouteGuardOptions;
  canaries?: readonly string[];
  vault?: TokenVault;
  /** Judges completed answer segments for instructions aimed at downstream tools; no check when absent. */
  classifyAnswer?: AnswerClassifier;
  /** Told of a failure inside inspection (a guard bug), so that it is logged. */
  onInternalError?: (error: unknown) => void;
}

const CONTEXT = 256;

interface Edit {
  start: number;
  end: number;
  replacement?: string;
  stop?: GuardBlock;
}

export function createOutputInspector(options: OutputInspectorOptions): OutputInspector {
  const { route, vault } = options;
  const instructions = options.classifyAnswer ? createAnswerInstructionScanner(options.classifyAnswer) : undefined;
  const canaries = options.canaries ?? [];
  const findings: GuardFinding[] = [];
  let pending = '';
  /** Raw text released before, kept for left context. */
  let context = '';
  /** Raw characters released so far (stream offset of the next part). */
  let released = 0;
  let stopped: GuardBlock | undefined;

  const dlpAction = (type: Parameters<typeof maskValue>[0]): DlpAction => route.dlp.output[type] ?? (BEST_EFFORT_TYPES.includes(type) ? 'allow' : 'redact');

  function record(f: Omit<GuardFinding, 'start' | 'end'>, regionStart: number, regionEnd: number, regionOffset: number): void {
    findings.push({ ...f, start: released - regionOffset + regionStart, end: released - regionOffset + regionEnd });
  }

  function checkInjection(part: string, force: boolean, edits: Edit[], offset: number): void {
    const hit = instructions?.push(part, force);
    if (!hit) return;
    const action = route.output.toolInjection;
    findings.push({ type: 'TOOL_INJECTION', start: hit.start, end: hit.end, reasons: hit.verdict.reasons, confidence: hit.verdict.score, action: action === 'stop' ? 'stop' : 'flag' });
    // The segment is complete only now: this part is withheld and the stream ends here.
    if (action === 'stop') edits.push({ start: offset, end: offset + part.length, stop: { code: 'guard_blocked', message: 'the answer contains instructions aimed at tools or agents' } });
  }

  function process(part: string, force: boolean): OutputChunkResult {
    const region = context + part;
    const offset = context.length;
    const edits: Edit[] = [];
    if (route.dlp.enabled) {
      for (const f of scanText(region, { bestEffort: route.dlp.bestEffort, minConfidence: route.dlp.minConfidence })) {
        if (f.end <= offset) continue;
        const action = dlpAction(f.type);
        const start = Math.max(f.start, offset);
        record({ type: f.type, ...(f.subtype ? { subtype: f.subtype } : {}), reasons: [f.detector], confidence: f.confidence, action: action === 'block' ? 'stop' : action }, f.start, f.end, offset);
        if (action === 'allow') continue;
        if (action === 'block') edits.push({ start, end: f.end, stop: { code: 'guard_blocked', message: `the answer contains data that may not be shown (${f.type})` } });
        else edits.push({ start, end: f.end, replacement: action === 'mask' ? maskValue(f.type, region.slice(f.start, f.end)) : `[REDACTED_${f.type}]` });
      }
    }
    if (route.output.enabled) {
      // Every leak that reaches into this part: the first one found may lie wholly in the context (already
      // handled with the part before), and a part may repeat the canary; each occurrence is its own edit.
      for (let leak = findCanary(region, canaries, Math.max(0, offset - 64)); leak; leak = findCanary(region, canaries, leak.index + leak.length)) {
        if (leak.index + leak.length <= offset) continue;
        const action = route.output.canaryLeak;
        record({ type: 'CANARY_LEAK', reasons: ['canary'], confidence: 1, action: action === 'stop' ? 'stop' : action === 'redact' ? 'redact' : 'flag' }, leak.index, leak.index + leak.length, offset);
        const start = Math.max(leak.index, offset);
        if (action === 'stop') {
          edits.push({ start, end: leak.index + leak.length, stop: { code: 'guard_blocked', message: 'the answer leaks the system prompt' } });
          break;
        }
        if (action === 'redact') edits.push({ start, end: leak.index + leak.length, replacement: '[REDACTED]' });
      }
      for (const link of findExfiltration(region, route.output.allowedHosts)) {
        if (link.end <= offset) continue;
        const action = route.output.exfiltration;
        record({ type: 'EXFILTRATION', subtype: link.kind, reasons: [`host:${link.host}`], confidence: link.kind === 'image' ? 0.9 : 0.7, action: action === 'stop' ? 'stop' : action === 'redact' ? 'redact' : 'flag' }, link.start, link.end, offset);
        const start = Math.max(link.start, offset);
        if (action === 'stop') edits.push({ start, end: link.end, stop: { code: 'guard_blocked', message: 'the answer links data to an external host' } });
        else if (action === 'redact') edits.push({ start, end: link.end, replacement: '[link removed]' });
      }
      checkInjection(part, force, edits, offset);
    }
    // Apply edits within the part, earliest first; the first stop ends the stream there.
    edits.sort((a, b) => a.start - b.start || (b.stop ? 1 : 0) - (a.stop ? 1 : 0));
    let out = '';
    let cursor = offset;
    let stop: GuardBlock | undefined;
    const plain = (s: string): string => (vault ? vault.detokenize(s) : s);
    for (const e of edits) {
      if (e.start < cursor) continue;
      out += plain(region.slice(cursor, e.start));
      if (e.stop) {
        stop = e.stop;
        cursor = region.length;
        break;
      }
      out += e.replacement ?? '';
      cursor = e.end;
    }
    if (!stop) out += plain(region.slice(cursor));
    context = region.slice(-CONTEXT);
    released += part.length;
    if (stop) stopped = stop;
    return stop ? { text: out, stop } : { text: out };
  }

  return {
    push(delta: string): OutputChunkResult {
      if (stopped) return { text: '', stop: stopped };
      if (typeof delta !== 'string' || delta.length === 0) return { text: '' };
      let part = '';
      try {
        pending += delta;
        const hold = holdLength(pending, canaries, route.output.maxHoldChars);
        if (hold >= pending.length) return { text: '' };
        part = pending.slice(0, pending.length - hold);
        pending = pending.slice(pending.length - hold);
        return process(part, false);
      } catch (error) {
        // Fail per route: closed ends the stream with a clear error; open passes the text unchecked. Either
        // way the failure is a guard bug, reported for the log.
        options.onInternalError?.(error);
        if (route.failMode === 'open') {
          const text = part + pending;
          released += text.length;
          context = (context + text).slice(-CONTEXT);
          pending = '';
          return { text: vault ? vault.detokenize(text) : text };
        }
        stopped = { code: 'guard_error', message: 'the guard could not inspect the answer' };
        return { text: '', stop: stopped };
      }
    },
    end() {
      if (stopped) return { text: '', findings, stop: stopped };
      let result: OutputChunkResult;
      try {
        result = pending.length || instructions?.hasUnjudged() ? process(pending, true) : { text: '' };
      } catch (error) {
        options.onInternalError?.(error);
        result = route.failMode === 'open' ? { text: vault ? vault.detokenize(pending) : pending } : { text: '', stop: { code: 'guard_error', message: 'the guard could not inspect the answer' } };
      }
      pending = '';
      return result.stop ? { text: result.text, findings, stop: result.stop } : { text: result.text, findings };
    },
  };
}
