/**
 * applyActions: rewrites a text according to the action chosen for each finding.
 * - `allow`: unchanged; `mask`: partly hidden (`j***@example.com`, `**** **** **** 1111`);
 * - `redact`: `[EMAIL_1]` (numbered per value within the call); `tokenize`: `[EMAIL_1]` kept in a TokenVault
 *   so the answer can be restored; `block`: unchanged here, reported so the caller refuses the request.
 *
 * @example
 * applyActions('mail jane@example.com', scanText('mail jane@example.com'), () => 'mask').text
 * // 'mail j***@example.com'
 */
import type { DlpFinding, DlpType } from './types.js';
import type { TokenVault } from './vault.js';

export const DLP_ACTIONS = ['allow', 'mask', 'redact', 'tokenize', 'block'] as const;
export type DlpAction = (typeof DLP_ACTIONS)[number];

export interface AppliedAction {
  finding: DlpFinding;
  action: DlpAction;
  /** What replaced the value (placeholder or mask); absent for allow/block. */
  replacement?: string;
}

export interface ActionResult {
  text: string;
  applied: AppliedAction[];
  /** True when any finding's action is `block`. */
  blocked: boolean;
}

function maskKeepLast(value: string, keep: number): string {
  let digitsSeen = 0;
  const total = value.replace(/[^0-9A-Za-z]/g, '').length;
  let out = '';
  for (const ch of value) {
    if (/[0-9A-Za-z]/.test(ch)) {
      digitsSeen++;
      out += digitsSeen > total - keep ? ch : '*';
    } else out += ch;
  }
  return out;
}

/** A partly hidden form of a value that keeps enough to recognise it, never enough to reuse it. */
export function maskValue(type: DlpType, value: string): string {
  switch (type) {
    case 'EMAIL': {
      const at = value.indexOf('@');
      return at > 0 ? `${value[0]}***${value.slice(at)}` : '***';
    }
    case 'CREDIT_CARD':
    case 'IBAN':
    case 'SSN':
    case 'NATIONAL_ID':
      return maskKeepLast(value, 4);
    case 'PHONE':
      return maskKeepLast(value, 2);
    case 'IP':
      return value.includes('.') ? value.replace(/\.\d+\.\d+$/, '.*.*') : value.replace(/(:[0-9A-Fa-f]*){1,4}$/, ':*');
    case 'SECRET':
      return value.length >= 20 ? `${value.slice(0, 4)}${'*'.repeat(8)}` : '*'.repeat(8);
    default:
      return value.length <= 2 ? '**' : `${value[0]}${'*'.repeat(Math.min(8, value.length - 1))}`;
  }
}

/** Numbering of `[TYPE_n]` placeholders, shared by the messages of one request so a value keeps its number. */
export interface RedactionState {
  values: Map<string, string>;
  counters: Map<string, number>;
}

export function createRedactionState(): RedactionState {
  return { values: new Map(), counters: new Map() };
}

/**
 * Applies `actionFor(finding)` to each finding (findings must not overlap, as scanText returns them).
 * `vault` is required for `tokenize`; without it tokenize falls back to redact.
 */
export function applyActions(
  text: string,
  findings: DlpFinding[],
  actionFor: (f: DlpFinding) => DlpAction,
  vault?: TokenVault,
  state: RedactionState = createRedactionState(),
): ActionResult {
  const sorted = [...findings].sort((a, b) => a.start - b.start);
  const applied: AppliedAction[] = [];
  const redactions = state.values;
  const counters = state.counters;
  let out = '';
  let cursor = 0;
  let blocked = false;
  for (const f of sorted) {
    if (f.start < cursor) continue;
    const action = actionFor(f);
    const value = text.slice(f.start, f.end);
    let replacement: string | undefined;
    if (action === 'mask') replacement = maskValue(f.type, value);
    else if (action === 'tokenize' && vault) replacement = vault.tokenize(f.type, value);
    if ((action === 'redact' || (action === 'tokenize' && replacement === undefined))) {
      const key = `${f.type}\u0000${value}`;
      replacement = redactions.get(key);
      if (!replacement) {
        // With a vault, number in its sequence so a redaction never looks like a reversible token.
        if (vault) replacement = vault.reserve(f.type);
        else {
          const n = (counters.get(f.type) ?? 0) + 1;
          counters.set(f.type, n);
          replacement = `[${f.type}_${n}]`;
        }
        redactions.set(key, replacement);
      }
    }
    if (action === 'block') blocked = true;
    applied.push(replacement === undefined ? { finding: f, action } : { finding: f, action, replacement });
    if (replacement !== undefined) {
      out += text.slice(cursor, f.start) + replacement;
      cursor = f.end;
    }
  }
  out += text.slice(cursor);
  return { text: out, applied, blocked };
}
