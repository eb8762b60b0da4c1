/**
 * Splits a policy set into policies with explicit ids and their JSON form, through cedar-wasm (which
 * stays the parser): static policies, templates, and template links. Ids follow cedar-wasm: a static
 * set given as one text numbers its policies `policy0`, `policy1`, ... in source order, an array by
 * index, a record by key.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { EntityUidJson, PolicyJson, PolicySet } from './types.js';
import { UnsupportedConstruct } from './compiled/values.js';

export interface PolicyPart {
  id: string;
  json: PolicyJson;
}

export interface LinkPart {
  id: string;
  templateId: string;
  values: Record<string, EntityUidJson>;
}

export interface PolicySetParts {
  statics: PolicyPart[];
  templates: PolicyPart[];
  links: LinkPart[];
}

export class PolicyParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyParseError';
  }
}

/** The text parsed, but the policies' source order (hence their default ids) could not be recovered. */
export class PolicyOrderError extends PolicyParseError {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyOrderError';
  }
}

function toJson(policy: string | PolicyJson, template: boolean, id: string): PolicyJson {
  if (typeof policy !== 'string') return policy;
  const answer = template ? cedar.templateToJson(policy) : cedar.policyToJson(policy);
  if (answer.type === 'failure') {
    throw new PolicyParseError(`policy \`${id}\`: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  return answer.json;
}

/**
 * Splits a policy-set text into its static policies and templates, keeping the source order (which
 * decides the default ids `policy0`, `policy1`, ... shared by both kinds).
 */
export function splitPolicyText(text: string): { kind: 'static' | 'template'; text: string; index: number }[] {
  const answer = cedar.policySetTextToParts(text);
  if (answer.type === 'failure') throw new PolicyParseError(answer.errors.map((e) => e.message).join('; '));
  // cedar-wasm returns each kind ordered by id (`policy0`, `policy1`, `policy10`, ...), not by source
  // position. The parts are slices of the source: locate them (identical texts take successive
  // occurrences, and are interchangeable) to recover the source order, then check it against the
  // order cedar-wasm gave.
  const parts = [
    ...answer.policies.map((t) => ({ kind: 'static' as const, text: t, at: -1 })),
    ...answer.policy_templates.map((t) => ({ kind: 'template' as const, text: t, at: -1 })),
  ];
  const nextFrom = new Map<string, number>();
  for (const p of parts) {
    const at = text.indexOf(p.text, nextFrom.get(p.text) ?? 0);
    if (at < 0) throw new PolicyOrderError('could not locate the policies in the source text');
    p.at = at;
    nextFrom.set(p.text, at + 1);
  }
  const ordered = [...parts].sort((a, b) => a.at - b.at);
  const ids = new Map(ordered.map((p, index) => [p, `policy${index}`]));
  for (const kind of ['static', 'template'] as const) {
    const given = parts.filter((p) => p.kind === kind);
    const byId = [...given].sort((a, b) => ((ids.get(a) as string) < (ids.get(b) as string) ? -1 : 1));
    if (byId.some((p, i) => p.text !== given[i]?.text)) {
      throw new PolicyOrderError('could not recover the order of the policies in the source text');
    }
  }
  return ordered.map((p, index) => ({ kind: p.kind, text: p.text, index }));
}

export function policySetParts(set: PolicySet): PolicySetParts {
  const statics: PolicyPart[] = [];
  const sp = set.staticPolicies;
  if (typeof sp === 'string') {
    let split: ReturnType<typeof splitPolicyText>;
    try {
      split = splitPolicyText(sp);
    } catch (err) {
      // cedar-wasm numbers the policies itself: without their order, leave the set to it
      if (err instanceof PolicyOrderError) throw new UnsupportedConstruct(err.message);
      throw err;
    }
    for (const part of split) {
      const id = `policy${part.index}`;
      if (part.kind === 'template') throw new PolicyParseError('static policy set includes a template');
      statics.push({ id, json: toJson(part.text, false, id) });
    }
  } else if (Array.isArray(sp)) {
    sp.forEach((p, i) => statics.push({ id: `policy${i}`, json: toJson(p, false, `policy${i}`) }));
  } else if (sp !== undefined) {
    for (const [id, p] of Object.entries(sp)) statics.push({ id, json: toJson(p, false, id) });
  }
  const templates = Object.entries(set.templates ?? {}).map(([id, t]) => ({ id, json: toJson(t, true, id) }));
  const links = (set.templateLinks ?? []).map((l) => ({
    id: l.newId,
    templateId: l.templateId,
    values: l.values as Record<string, EntityUidJson>,
  }));
  return { statics, templates, links };
}

/**
 * The annotations of every policy and link (a link shows its template's), by policy id: `@id("...")`,
 * `@on_deny("step_up")` and any other. An annotation written without a value maps to "".
 *
 * @example policyAnnotations({ staticPolicies: { p: '@on_deny("step_up") forbid(principal, action, resource);' } })
 *   // Map { 'p' => { on_deny: 'step_up' } }
 */
export function policyAnnotations(set: PolicySet): Map<string, Record<string, string>> {
  const parts = policySetParts(set);
  const out = new Map<string, Record<string, string>>();
  const clean = (a: PolicyJson['annotations']): Record<string, string> => {
    const r: Record<string, string> = {};
    for (const [k, v] of Object.entries(a ?? {})) r[k] = typeof v === 'string' ? v : '';
    return r;
  };
  for (const p of parts.statics) out.set(p.id, clean(p.json.annotations));
  const byTemplate = new Map(parts.templates.map((t) => [t.id, t.json]));
  for (const t of parts.templates) out.set(t.id, clean(t.json.annotations));
  for (const l of parts.links) out.set(l.id, clean(byTemplate.get(l.templateId)?.annotations));
  return out;
}
