/**
 * Finds and loads policy test cases from files and directories (see case-format.ts for the formats).
 * In a directory, every `.json` file holding a `requests` array is a case, and every directory laid out
 * as a cedar-examples use case is one; other files are ignored.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { AuthzRequest, EntityJson, EvaluatorInput, PolicySet, Schema } from '../engine/index.js';
import { splitPolicyText } from '../engine/index.js';
import { JsonSyntaxError, parseJsonLossless } from '../../core/index.js';
import { exampleRequestSchema, integrationCaseSchema, linkFileSchema } from './case-format.js';

export interface PolicyTestRequest {
  description: string;
  request: AuthzRequest;
  decision: 'allow' | 'deny';
  /** Expected determining policy ids (compared as a set), when the case gives them. */
  reason?: string[];
  /** Expected ids of policies whose evaluation errored, when the case gives them. */
  errors?: string[];
}

export interface PolicyTestCase {
  /** The case's path, relative to the current directory when inside it. */
  name: string;
  input: EvaluatorInput;
  /** The schema the policies are validated against (for a cedar-examples case, even when the entity
   * data do not conform to it and requests are therefore evaluated without it). */
  validationSchema?: Schema;
  shouldValidate?: boolean;
  requests: PolicyTestRequest[];
}

export class CaseLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CaseLoadError';
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CaseLoadError(`cannot read \`${path}\``, { cause: err });
  }
}

/**
 * Case files, entities and requests are read as Cedar's harness reads them (serde_json): integers
 * exactly (i64 beyond 2^53 included), floats kept apart so that the engines refuse them as Cedar does,
 * and a key given twice refused instead of one copy silently winning.
 */
function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return parseJsonLossless(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new CaseLoadError(`\`${path}\` is not valid JSON: ${err.message}`, { cause: err });
  }
}

/** The context as read from the file (zod copies objects, which would drop a `__proto__` key). */
function rawContext(raw: unknown): AuthzRequest['context'] {
  const context = (raw as { context?: unknown }).context;
  return (context ?? {}) as AuthzRequest['context'];
}

/**
 * A policy-set text as a PolicySet with explicit ids: `policy0`, `policy1`, ... in source order (as
 * Cedar numbers them), or, with `useIdAnnotations`, the `@id("...")` annotation where one is given
 * (as the Cedar CLI does).
 */
export function policySetFromText(text: string, useIdAnnotations = false): PolicySet {
  const staticPolicies: Record<string, string> = {};
  const templates: Record<string, string> = {};
  for (const part of splitPolicyText(text)) {
    let id = `policy${part.index}`;
    if (useIdAnnotations) {
      const json = part.kind === 'template' ? cedar.templateToJson(part.text) : cedar.policyToJson(part.text);
      const annotated = json.type === 'success' ? json.json.annotations?.id : undefined;
      if (typeof annotated === 'string') id = annotated;
    }
    if (id in staticPolicies || id in templates) throw new CaseLoadError(`duplicate policy id \`${id}\``);
    if (part.kind === 'template') templates[id] = part.text;
    else staticPolicies[id] = part.text;
  }
  return Object.keys(templates).length > 0 ? { staticPolicies, templates } : { staticPolicies };
}

function displayName(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** Resolves a path named inside a case: against the root first, then against the case's directory. */
function resolveIn(path: string, root: string, caseDir: string): string {
  const fromRoot = resolve(root, path);
  if (existsSync(fromRoot)) return fromRoot;
  const fromCase = resolve(caseDir, path);
  return existsSync(fromCase) ? fromCase : fromRoot;
}

export function loadIntegrationCase(file: string, root: string, cwd: string, json?: unknown): PolicyTestCase {
  const raw = json ?? readJson(file);
  const parsed = integrationCaseSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CaseLoadError(`\`${file}\`: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid case'}`);
  }
  const c = parsed.data;
  const dir = dirname(file);
  const entities = readJson(resolveIn(c.entities, root, dir));
  if (!Array.isArray(entities)) throw new CaseLoadError(`\`${c.entities}\`: entities must be a JSON array`);
  const input: EvaluatorInput = {
    policies: policySetFromText(readText(resolveIn(c.policies, root, dir))),
    entities: entities as EntityJson[],
  };
  if (c.schema !== undefined) input.schema = readText(resolveIn(c.schema, root, dir));
  return {
    name: displayName(file, cwd),
    input,
    ...(input.schema === undefined ? {} : { validationSchema: input.schema }),
    ...(c.shouldValidate === undefined ? {} : { shouldValidate: c.shouldValidate }),
    requests: c.requests.map((r, i) => ({
      description: r.description,
      request: {
        principal: r.principal,
        action: r.action,
        resource: r.resource,
        context: rawContext((raw as { requests: unknown[] }).requests[i]),
        validateRequest: r.validateRequest ?? true,
      },
      decision: r.decision,
      ...(r.reason === undefined ? {} : { reason: r.reason }),
      ...(r.errors === undefined ? {} : { errors: r.errors }),
    })),
  };
}

export function isExampleDir(dir: string): boolean {
  return (
    existsSync(join(dir, 'policies.cedar')) &&
    existsSync(join(dir, 'entities.json')) &&
    (existsSync(join(dir, 'ALLOW')) || existsSync(join(dir, 'DENY')))
  );
}

export function loadExampleCase(dir: string, cwd: string): PolicyTestCase {
  const policies = policySetFromText(readText(join(dir, 'policies.cedar')), true);
  const linked = join(dir, 'linked');
  if (existsSync(linked)) {
    const links = linkFileSchema.safeParse(readJson(linked));
    if (!links.success) throw new CaseLoadError(`\`${linked}\`: ${links.error.issues[0]?.message ?? 'invalid links'}`);
    policies.templateLinks = links.data.map((l) => ({ templateId: l.template_id, newId: l.link_id, values: l.args }));
  }
  const entities = readJson(join(dir, 'entities.json'));
  if (!Array.isArray(entities)) throw new CaseLoadError(`\`${join(dir, 'entities.json')}\`: entities must be a JSON array`);
  const input: EvaluatorInput = { policies, entities: entities as EntityJson[] };
  const schemaPath = join(dir, 'policies.cedarschema');
  const schema = existsSync(schemaPath) ? readText(schemaPath) : undefined;
  // As the examples' own run.sh: requests are read with the schema when the entity data conform to it
  // (github_example and document_cloud have entity types their schemas do not declare).
  if (schema !== undefined && cedar.checkParseEntities({ entities: input.entities, schema }).type === 'success') input.schema = schema;
  const requests: PolicyTestRequest[] = [];
  for (const decision of ['allow', 'deny'] as const) {
    const sub = join(dir, decision.toUpperCase());
    if (!existsSync(sub)) continue;
    for (const name of readdirSync(sub).sort()) {
      if (!name.endsWith('.json')) continue;
      const raw = readJson(join(sub, name));
      const r = exampleRequestSchema.safeParse(raw);
      if (!r.success) throw new CaseLoadError(`\`${join(sub, name)}\`: ${r.error.issues[0]?.message ?? 'invalid request'}`);
      requests.push({
        description: `${decision.toUpperCase()}/${basename(name, '.json')}`,
        request: { principal: r.data.principal, action: r.data.action, resource: r.data.resource, context: rawContext(raw) },
        decision,
      });
    }
  }
  return { name: displayName(dir, cwd), input, ...(schema === undefined ? {} : { validationSchema: schema, shouldValidate: true }), requests };
}

function collect(path: string, root: string, cwd: string, out: PolicyTestCase[]): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    if (isExampleDir(path)) {
      out.push(loadExampleCase(path, cwd));
      return;
    }
    for (const name of readdirSync(path).sort()) {
      const child = join(path, name);
      if (name.startsWith('.') || name === 'node_modules') continue;
      const cst = statSync(child);
      if (cst.isDirectory() || name.endsWith('.json')) collect(child, root, cwd, out);
    }
    return;
  }
  let json: unknown;
  try {
    json = parseJsonLossless(readText(path));
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    // Not a case. A file that looks like one (it mentions `requests`) but does not parse is an error,
    // so that a broken case is never silently skipped.
    if (readText(path).includes('"requests"')) throw new CaseLoadError(`\`${path}\` is not valid JSON: ${err.message}`, { cause: err });
    return;
  }
  if (typeof json === 'object' && json !== null && Array.isArray((json as { requests?: unknown }).requests)) {
    out.push(loadIntegrationCase(path, root, cwd, json));
  }
}

/** Loads every case under `paths` (files or directories); paths in cases resolve against `root`. */
export function loadCases(paths: readonly string[], root: string, cwd: string = process.cwd()): PolicyTestCase[] {
  const out: PolicyTestCase[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new CaseLoadError(`\`${p}\` does not exist`);
    const before = out.length;
    collect(abs, resolve(cwd, root), cwd, out);
    if (out.length === before && statSync(abs).isFile()) throw new CaseLoadError(`\`${p}\` is not a test case (a JSON object with a \`requests\` array)`);
  }
  return out;
}
