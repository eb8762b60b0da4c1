/**
 * Validates a bundle with cedar-wasm (syntax, then the schema) and turns it into a policy set with
 * stable ids: a policy's `@id("...")` annotation, else `<file>#<n>`. Any problem refuses the whole bundle
 * with the file, line and Cedar's message, so the set in force stays in force.
 */
import { callWithLosslessJson } from './engine/wasm-json.js';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { DetailedError } from '@cedar-policy/cedar-wasm/nodejs';
import { BundleError, type PolicyBundle, type PolicyProblem } from './bundle.js';
import type { PolicySet } from './engine/types.js';

export interface CompiledBundle {
  policies: PolicySet;
  /** The same set without the step-up forbids: what the decision would be after stronger authentication. */
  withoutStepUp: PolicySet;
  annotations: Map<string, Record<string, string>>;
  stepUpIds: Set<string>;
  source: Map<string, { file: string; line: number }>;
}

interface Part {
  id: string;
  text: string;
  file: string;
  offset: number;
  template: boolean;
  annotations: Record<string, string>;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function problemsFrom(errors: DetailedError[], file: string, fileText: string, baseOffset: number): PolicyProblem[] {
  return errors.map((error) => {
    const location = error.sourceLocations?.[0];
    const { line, column } = lineColumn(fileText, baseOffset + (location?.start ?? 0));
    const help = error.help ? ` (${error.help})` : '';
    return { file, line, column, message: `${error.message}${help}` };
  });
}

function splitFile(file: string, text: string, problems: PolicyProblem[]): Part[] {
  const split = cedar.policySetTextToParts(text);
  if (split.type === 'failure') {
    problems.push(...problemsFrom(split.errors, file, text, 0));
    return [];
  }
  const parts: Part[] = [];
  let cursor = 0;
  const add = (partText: string, template: boolean, index: number): void => {
    const found = text.indexOf(partText, cursor);
    const offset = found >= 0 ? found : cursor;
    if (found >= 0) cursor = found + partText.length;
    const json = template ? cedar.templateToJson(partText) : cedar.policyToJson(partText);
    const annotations = json.type === 'success' ? (json.json.annotations ?? {}) : {};
    parts.push({ id: annotations.id ?? `${file}#${index}`, text: partText, file, offset, template, annotations });
  };
  split.policies.forEach((p, i) => add(p, false, i));
  split.policy_templates.forEach((p, i) => add(p, true, split.policies.length + i));
  return parts.sort((a, b) => a.offset - b.offset);
}

export function compileBundle(bundle: PolicyBundle): CompiledBundle {
  const problems: PolicyProblem[] = [];
  const schemaCheck = cedar.checkParseSchema(bundle.schema);
  if (schemaCheck.type === 'failure') {
    throw new BundleError('the Cedar schema is invalid', problemsFrom(schemaCheck.errors, 'schema', bundle.schema, 0));
  }
  const parts: Part[] = [];
  for (const [file, text] of Object.entries(bundle.files)) parts.push(...splitFile(file, text, problems));
  const seen = new Map<string, Part>();
  for (const part of parts) {
    const previous = seen.get(part.id);
    if (previous) {
      const { line, column } = lineColumn(bundle.files[part.file]!, part.offset);
      problems.push({ file: part.file, line, column, message: `policy id \`${part.id}\` is already used in ${previous.file}` });
    }
    seen.set(part.id, part);
  }
  if (problems.length) throw new BundleError('the policies do not parse', problems);

  const staticPolicies: Record<string, string> = {};
  const templates: Record<string, string> = {};
  for (const part of parts) (part.template ? templates : staticPolicies)[part.id] = part.text;
  const templateLinks = bundle.links.map((l) => ({ templateId: l.templateId, newId: l.newId, values: l.values }));
  const policies: PolicySet = { staticPolicies, templates, templateLinks };

  const validation = cedar.validate({ schema: bundle.schema, policies, validationSettings: { mode: 'strict' } });
  if (validation.type === 'failure') throw new BundleError('the policies could not be validated', problemsFrom(validation.errors, 'schema', bundle.schema, 0));
  for (const { policyId, error } of validation.validationErrors) {
    const part = seen.get(policyId);
    const file = part?.file ?? 'links.json';
    problems.push(...problemsFrom([error], file, part ? bundle.files[file]! : '', part?.offset ?? 0));
  }
  if (problems.length) throw new BundleError('the policies do not validate against the schema', problems);
  const rounded = roundedNumber(bundle.entities, 'entities');
  if (rounded !== undefined) {
    throw new BundleError('the static entities hold an integer a JSON double may have rounded', [
      { file: 'entities', line: 0, column: 0, message: `\`${rounded}\`: integers beyond 2^53 - 1 must reach Warden exactly (read the file with \`warden policy activate\`, which keeps them)` },
    ]);
  }
  const entityCall = { entities: bundle.entities, schema: bundle.schema };
  const entityCheck = callWithLosslessJson(entityCall, () => cedar.checkParseEntities(entityCall));
  if (entityCheck.type === 'failure') throw new BundleError('the static entities are invalid', problemsFrom(entityCheck.errors, 'entities', '', 0));

  const annotations = new Map<string, Record<string, string>>();
  const source = new Map<string, { file: string; line: number }>();
  const stepUpIds = new Set<string>();
  const unknownOnDeny = parts.filter((part) => part.annotations.on_deny !== undefined && part.annotations.on_deny !== 'step_up');
  if (unknownOnDeny.length) {
    // A misspelt value (`stepup`) would silently turn a step-up into a plain deny.
    throw new BundleError(
      'a policy has an unknown @on_deny value',
      unknownOnDeny.map((part) => ({ ...lineColumn(bundle.files[part.file]!, part.offset), file: part.file, message: `unknown @on_deny value \`${part.annotations.on_deny}\`; the known value is \`step_up\`` })),
    );
  }
  for (const part of parts) {
    annotations.set(part.id, part.annotations);
    source.set(part.id, { file: part.file, line: lineColumn(bundle.files[part.file]!, part.offset).line });
    if (!part.template && part.annotations.on_deny === 'step_up') stepUpIds.add(part.id);
  }
  const withoutStepUp: PolicySet = {
    staticPolicies: Object.fromEntries(Object.entries(staticPolicies).filter(([id]) => !stepUpIds.has(id))),
    templates,
    templateLinks,
  };
  return { policies, withoutStepUp, annotations, stepUpIds, source };
}

/**
 * The path of a `number` in entity data that is an integer beyond 2^53 - 1: such a number came through
 * a reader that rounds (JSON.parse, e.g. the admin API's body) and may not be the value that was sent.
 * Files read by `readBundle` carry such integers as exact bigints.
 */
function roundedNumber(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value) ? path : undefined;
  if (typeof value !== 'object' || value === null || depth > 64) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = roundedNumber(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function formatProblems(problems: PolicyProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n');
}
