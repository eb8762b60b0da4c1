/**
 * Which counters a request touches: the rules that match it and, for each, the counter of its dimension
 * values (principal, group, model, route). Pure: no I/O.
 *
 * @example
 * countersFor(rules, { principal: { kind: 'User', id: 'alice', groups: ['eng'] }, model: 'gpt-4o', route: 'openai.chat', tokens: true })
 * // [{ rule, key: 'chat-per-user:60000:sliding|principal=User%2Falice' }]
 */
import type { LimitRule } from './config.js';

export interface LimitSubject {
  principal: { kind: string; id: string; groups: readonly string[] };
  model?: string;
  /** `openai.chat`, `openai.completion`, `openai.embedding` or `route.NAME`. */
  route: string;
  /** Whether the answer reports token usage (LLM endpoints): token rules apply only there. */
  tokens: boolean;
}

export interface RuleCounter {
  rule: LimitRule;
  /** Rule, window, algorithm and dimension values: a changed window starts new counters. */
  key: string;
}

export function countersFor(rules: readonly LimitRule[], subject: LimitSubject): RuleCounter[] {
  const out: RuleCounter[] = [];
  for (const rule of rules) {
    if (!matches(rule, subject)) continue;
    const base = `${rule.name}:${rule.window}:${rule.algorithm}`;
    // A group-keyed rule counts each of the caller's groups that it names (match.groups is required for it).
    const groups = rule.per.includes('group') ? subject.principal.groups.filter((g) => rule.match.groups!.includes(g)) : [undefined];
    for (const group of groups) {
      const parts = rule.per.map((dimension) => `${dimension}=${encodeURIComponent(valueOf(dimension, subject, group))}`);
      out.push({ rule, key: parts.length ? `${base}|${parts.join('|')}` : base });
    }
  }
  return out;
}

function matches(rule: LimitRule, s: LimitSubject): boolean {
  if (rule.tokens !== undefined && !s.tokens) return false;
  const { principals, groups, models, routes } = rule.match;
  if (principals && !principals.includes(s.principal.id)) return false;
  if (groups && !s.principal.groups.some((g) => groups.includes(g))) return false;
  if (models && (s.model === undefined || !models.includes(s.model))) return false;
  if (routes && !routes.includes(s.route)) return false;
  // A rule counted per model does not apply where there is no model (a generic route).
  if (rule.per.includes('model') && s.model === undefined) return false;
  return true;
}

function valueOf(dimension: LimitRule['per'][number], s: LimitSubject, group: string | undefined): string {
  switch (dimension) {
    case 'principal':
      return `${s.principal.kind}/${s.principal.id}`;
    case 'group':
      return group!;
    case 'model':
      return s.model!;
    case 'route':
      return s.route;
  }
}
