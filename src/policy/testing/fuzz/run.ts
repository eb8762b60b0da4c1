/**
 * Differential fuzzing of the compiled evaluator against cedar-wasm: random worlds and requests, both
 * engines, any difference in decision, determining policies or errored policies is a disagreement,
 * shrunk (policies, entities, request entities, context attributes removed while it persists) to a
 * minimal reproducible case.
 */
import { createCompiledEvaluator, createWasmEvaluator, UnsupportedConstruct, PolicyParseError, type AuthzResult, type EntityJson, type EvaluatorInput, type PolicySet } from '../../engine/index.js';
import { needsLosslessJson, stringifyJsonLossless } from '../../../core/index.js';
import { generateRequest, generateWorld, type FuzzRequest } from './gen-world.js';
import { Rng } from './random.js';

export interface FuzzOptions {
  requests: number;
  seed: number;
  /** Requests per generated world (policy set + entities); default 25. */
  requestsPerWorld?: number;
  /** Stop at the first disagreement (default true). */
  stopOnFirst?: boolean;
  /** Called every 10,000 requests. */
  onProgress?: (report: FuzzReport) => void;
  /** Called with each (shrunk) disagreement as soon as it is found. */
  onDisagreement?: (d: Disagreement) => void;
}

export interface Disagreement {
  policies: PolicySet;
  entities: EntityJson[];
  /** The world's schema, when it has one. */
  schema?: string;
  request: FuzzRequest;
  wasm: Outcome;
  compiled: Outcome;
}

export interface FuzzReport {
  requests: number;
  worlds: number;
  /** Worlds the compiler refused (they would run on cedar-wasm): counted, not compared. */
  unsupportedWorlds: number;
  /** Worlds whose generated policies cedar-wasm could not parse (a generator bug if not zero). */
  unparsableWorlds: number;
  allow: number;
  /** Requests where at least one policy errored. */
  withErrors: number;
  /** Policy errors seen (cedar-wasm's side), by kind: overflow, type, attribute, entity, tag, extension, other. */
  errorKinds: Record<string, number>;
  /** Requests that failed as a whole on both engines (e.g. a cycle in request entities). */
  failedBoth: number;
  /** Worlds that carried a schema, and requests evaluated in them. */
  schemaWorlds: number;
  schemaRequests: number;
  /** Requests whose context or entity data held a Long beyond 2^53 (a bigint). */
  bigIntRequests: number;
  disagreements: Disagreement[];
}

export type Outcome =
  | { ok: true; decision: string; determining: string[]; errored: string[]; messages: string[] }
  | { ok: false; message: string };

function errorKind(message: string): string {
  if (message.includes('overflow')) return 'overflow';
  if (message.startsWith('type error')) return 'type';
  if (message.includes('extension function')) return 'extension';
  if (message.includes('does not have the attribute')) return 'attribute';
  if (message.includes('does not have the tag')) return 'tag';
  if (message.includes('does not exist')) return 'entity';
  return 'other';
}

function outcome(run: () => AuthzResult): Outcome {
  try {
    const r = run();
    return {
      ok: true,
      decision: r.decision,
      determining: [...r.determining].sort(),
      errored: [...new Set(r.errors.map((e) => e.policyId))].sort(),
      messages: r.errors.map((e) => e.message),
    };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

function same(a: Outcome, b: Outcome): boolean {
  if (!a.ok || !b.ok) return a.ok === b.ok;
  return a.decision === b.decision && a.determining.join('\n') === b.determining.join('\n') && a.errored.join('\n') === b.errored.join('\n');
}

/** Evaluates one request on both engines; undefined when the compiler refuses the set. */
export function compare(input: EvaluatorInput, req: FuzzRequest): { wasm: Outcome; compiled: Outcome } | undefined {
  let compiled: Outcome;
  try {
    const ev = createCompiledEvaluator(input);
    compiled = outcome(() => ev.isAuthorized(req.request, req.requestEntities));
    ev.dispose();
  } catch (err) {
    if (err instanceof UnsupportedConstruct) return undefined;
    compiled = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  let wasm: Outcome;
  try {
    const ev = createWasmEvaluator(input);
    wasm = outcome(() => ev.isAuthorized(req.request, req.requestEntities));
    ev.dispose();
  } catch (err) {
    wasm = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  return { wasm, compiled };
}

const inputOf = (d: Omit<Disagreement, 'wasm' | 'compiled'>): EvaluatorInput => ({
  policies: d.policies,
  entities: d.entities,
  ...(d.schema === undefined ? {} : { schema: d.schema }),
});

/** The two engines' outcomes when they still disagree on `d`, else undefined. */
export type Reproducer = (d: Omit<Disagreement, 'wasm' | 'compiled'>) => { wasm: Outcome; compiled: Outcome } | undefined;

const engineDisagreement: Reproducer = (d) => {
  const r = compare(inputOf(d), d.request);
  return r !== undefined && !same(r.wasm, r.compiled) ? r : undefined;
};

/**
 * Greedy one-at-a-time removal of policies, links, entities, request entities and context keys, while
 * `reproduces` (by default: the engines still disagree) holds; repeated until nothing more can go, so
 * the result is 1-minimal: removing any single remaining part makes the disagreement disappear.
 */
export function shrink(d: Disagreement, reproduces: Reproducer = engineDisagreement): Disagreement {
  let cur = d;
  const attempt = (next: Omit<Disagreement, 'wasm' | 'compiled'>): boolean => {
    const r = reproduces(next);
    if (r === undefined) return false;
    cur = { ...next, ...r };
    return true;
  };
  let progress = true;
  while (progress) {
    progress = false;
    const statics = (cur.policies.staticPolicies ?? {}) as Record<string, string>;
    for (const id of Object.keys(statics)) {
      const { [id]: _drop, ...rest } = statics;
      if (attempt({ ...cur, policies: { ...cur.policies, staticPolicies: rest } })) progress = true;
    }
    const links = cur.policies.templateLinks ?? [];
    for (let i = 0; i < links.length; i++) {
      const fewer = links.filter((_, j) => j !== i);
      const used = new Set(fewer.map((l) => l.templateId));
      const templates = Object.fromEntries(Object.entries(cur.policies.templates ?? {}).filter(([t]) => used.has(t)));
      if (attempt({ ...cur, policies: { ...cur.policies, templateLinks: fewer, templates } })) {
        progress = true;
        break;
      }
    }
    for (let i = cur.entities.length - 1; i >= 0; i--) {
      if (attempt({ ...cur, entities: cur.entities.filter((_, j) => j !== i) })) progress = true;
    }
    for (let i = cur.request.requestEntities.length - 1; i >= 0; i--) {
      const requestEntities = cur.request.requestEntities.filter((_, j) => j !== i);
      if (attempt({ ...cur, request: { ...cur.request, requestEntities } })) progress = true;
    }
    for (const key of Object.keys(cur.request.request.context)) {
      const { [key]: _drop, ...context } = cur.request.request.context;
      if (attempt({ ...cur, request: { ...cur.request, request: { ...cur.request.request, context } } })) progress = true;
    }
  }
  return cur;
}

/** The case as JSON (lossless: Longs beyond 2^53 and floats are written as they were generated). */
export function formatDisagreement(d: Disagreement): string {
  return (
    stringifyJsonLossless({
      policies: d.policies,
      entities: d.entities,
      ...(d.schema === undefined ? {} : { schema: d.schema }),
      request: d.request.request,
      requestEntities: d.request.requestEntities,
      wasm: d.wasm,
      compiled: d.compiled,
    }) ?? ''
  );
}

export function runFuzz(options: FuzzOptions): FuzzReport {
  const rng = new Rng(options.seed);
  const perWorld = options.requestsPerWorld ?? 25;
  const report: FuzzReport = {
    requests: 0,
    worlds: 0,
    unsupportedWorlds: 0,
    unparsableWorlds: 0,
    allow: 0,
    withErrors: 0,
    errorKinds: {},
    failedBoth: 0,
    schemaWorlds: 0,
    schemaRequests: 0,
    bigIntRequests: 0,
    disagreements: [],
  };
  while (report.requests < options.requests) {
    const world = generateWorld(rng);
    report.worlds++;
    const input: EvaluatorInput = inputOf(world as Omit<Disagreement, 'wasm' | 'compiled'>);
    let compiledEv;
    try {
      compiledEv = createCompiledEvaluator(input);
    } catch (err) {
      if (err instanceof PolicyParseError) report.unparsableWorlds++;
      else if (err instanceof UnsupportedConstruct) report.unsupportedWorlds++;
      else throw err;
      continue;
    }
    const wasmEv = createWasmEvaluator(input);
    if (world.schema !== undefined) report.schemaWorlds++;
    try {
      for (let i = 0; i < perWorld && report.requests < options.requests; i++) {
        const req = generateRequest(rng, world);
        const c = outcome(() => compiledEv.isAuthorized(req.request, req.requestEntities));
        const w = outcome(() => wasmEv.isAuthorized(req.request, req.requestEntities));
        report.requests++;
        if (world.schema !== undefined) report.schemaRequests++;
        if (needsLosslessJson(req) || needsLosslessJson(world.entities)) report.bigIntRequests++;
        if (w.ok && w.decision === 'allow') report.allow++;
        if (w.ok && w.errored.length > 0) report.withErrors++;
        if (w.ok) for (const m of w.messages) report.errorKinds[errorKind(m)] = (report.errorKinds[errorKind(m)] ?? 0) + 1;
        if (!w.ok && !c.ok) report.failedBoth++;
        if (!same(c, w)) {
          const d = shrink({ ...world, request: req, wasm: w, compiled: c });
          report.disagreements.push(d);
          options.onDisagreement?.(d);
          if (options.stopOnFirst ?? true) return report;
        }
        if (report.requests % 10000 === 0) options.onProgress?.(report);
      }
    } finally {
      wasmEv.dispose();
      compiledEv.dispose();
    }
  }
  return report;
}
