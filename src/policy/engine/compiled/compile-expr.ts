/**
 * Compiles one Cedar expression, in cedar-wasm's JSON form, into a closure. No source text is generated:
 * each node becomes a small function over its children's closures, with constants folded into data.
 * A node this compiler does not know raises `UnsupportedConstruct`, and the whole policy set falls back
 * to cedar-wasm.
 */
import type { CedarValueJson } from '../types.js';
import { evalIn, getAttr, getTag, hasAttr } from './access.js';
import { EXT_FUNCTIONS, comparable } from './ext-functions.js';
import { EntityDataError, valueFromJson, type EntityLookup } from './entities.js';
import { compileLike } from './like.js';
import {
  CedarError,
  CedarRecord,
  CedarSet,
  UnsupportedConstruct,
  asBool,
  asEntity,
  asLong,
  asSet,
  asString,
  checkedLong,
  valueEquals,
  type EntityRef,
  type Value,
} from './values.js';

export { evalIn };

export interface Env {
  principal: EntityRef;
  action: EntityRef;
  resource: EntityRef;
  context: CedarRecord;
  entities: EntityLookup;
}

export type Compiled = (env: Env) => Value;

export { UnsupportedConstruct };

/** Slot values of a template link (`?principal`, `?resource`). */
export type Slots = ReadonlyMap<string, EntityRef>;

type Json = Record<string, unknown>;

export function compileExpr(expr: unknown, slots: Slots): Compiled {
  if (typeof expr !== 'object' || expr === null || Array.isArray(expr)) throw new UnsupportedConstruct('expression is not an object');
  const keys = Object.keys(expr);
  if (keys.length !== 1) throw new UnsupportedConstruct(`expression with keys ${JSON.stringify(keys)}`);
  const op = keys[0] as string;
  const body = (expr as Json)[op];
  const sub = (e: unknown): Compiled => compileExpr(e, slots);
  const bin = (): [Compiled, Compiled] => {
    const b = body as Json;
    return [sub(b.left), sub(b.right)];
  };
  switch (op) {
    case 'Value':
      return constant(literal(body as CedarValueJson));
    case 'Var':
      return compileVar(body);
    case 'Slot': {
      const uid = slots.get(body as string);
      if (uid === undefined) throw new UnsupportedConstruct(`unlinked slot ${String(body)}`);
      return () => uid;
    }
    case '!': {
      const arg = sub((body as Json).arg);
      return (env) => !asBool(arg(env));
    }
    case 'neg': {
      const arg = sub((body as Json).arg);
      return (env) => checkedLong(-asLong(arg(env)), 'negate');
    }
    case '==': {
      const [l, r] = bin();
      return (env) => valueEquals(l(env), r(env));
    }
    case '!=': {
      const [l, r] = bin();
      return (env) => !valueEquals(l(env), r(env));
    }
    case 'in': {
      const [l, r] = bin();
      return (env) => evalIn(asEntity(l(env)), r(env), env.entities);
    }
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compileComparison(op, ...bin());
    case '&&': {
      const [l, r] = bin();
      return (env) => asBool(l(env)) && asBool(r(env));
    }
    case '||': {
      const [l, r] = bin();
      return (env) => asBool(l(env)) || asBool(r(env));
    }
    case '+': {
      const [l, r] = bin();
      return (env) => checkedLong(asLong(l(env)) + asLong(r(env)), 'add');
    }
    case '-': {
      const [l, r] = bin();
      return (env) => checkedLong(asLong(l(env)) - asLong(r(env)), 'subtract');
    }
    case '*': {
      const [l, r] = bin();
      return (env) => checkedLong(asLong(l(env)) * asLong(r(env)), 'multiply');
    }
    case 'contains': {
      const [l, r] = bin();
      return (env) => asSet(l(env)).has(r(env));
    }
    case 'containsAll': {
      const [l, r] = bin();
      return (env) => {
        const left = asSet(l(env));
        const right = asSet(r(env));
        for (const k of right.index().keys()) if (!left.index().has(k)) return false;
        return true;
      };
    }
    case 'containsAny': {
      const [l, r] = bin();
      return (env) => {
        const left = asSet(l(env));
        const right = asSet(r(env));
        for (const k of right.index().keys()) if (left.index().has(k)) return true;
        return false;
      };
    }
    case 'isEmpty': {
      const arg = sub((body as Json).arg);
      return (env) => asSet(arg(env)).items.length === 0;
    }
    case 'getTag': {
      const [l, r] = bin();
      return (env) => getTag(asEntity(l(env)), asString(r(env)), env.entities);
    }
    case 'hasTag': {
      const [l, r] = bin();
      return (env) => {
        const uid = asEntity(l(env));
        const tag = asString(r(env));
        return env.entities.get(uid.key)?.tags.has(tag) ?? false;
      };
    }
    case '.': {
      const b = body as Json;
      const left = sub(b.left);
      const attr = b.attr as string;
      return (env) => getAttr(left(env), attr, env.entities);
    }
    case 'has':
      return compileHas(body as Json, sub);
    case 'like': {
      const b = body as Json;
      const left = sub(b.left);
      const match = compileLike(b.pattern as unknown[]);
      return (env) => match(asString(left(env)));
    }
    case 'is':
      return compileIs(body as Json, sub);
    case 'if-then-else': {
      const b = body as Json;
      const [c, t, e] = [sub(b.if), sub(b.then), sub(b.else)];
      return (env) => (asBool(c(env)) ? t(env) : e(env));
    }
    case 'Set': {
      const items = (body as unknown[]).map(sub);
      return (env) => new CedarSet(evalAll(items, env));
    }
    case 'Record': {
      const fields = Object.entries(body as Json).map(([k, e]) => [k, sub(e)] as const);
      return (env) => {
        const attrs = new Map<string, Value>();
        for (const [k, f] of fields) attrs.set(k, f(env));
        return new CedarRecord(attrs);
      };
    }
    default:
      return compileExtCall(op, body, sub);
  }
}

function constant(v: Value): Compiled {
  return () => v;
}

/** A number in the policy's JSON form that a double may have rounded (cedar-wasm's glue parses it). */
function hasInexactNumber(json: unknown, depth = 0): boolean {
  if (typeof json === 'number') return !Number.isSafeInteger(json);
  if (typeof json !== 'object' || json === null || depth > 256) return false;
  return Object.values(json).some((v) => hasInexactNumber(v, depth + 1));
}

function literal(json: CedarValueJson): Value {
  if (hasInexactNumber(json)) throw new UnsupportedConstruct('literal: an integer beyond 2^53, which the JSON form cannot carry exactly');
  try {
    return valueFromJson(json);
  } catch (err) {
    // e.g. an integer literal beyond 2^53, which the JSON form cannot carry exactly
    if (err instanceof EntityDataError) throw new UnsupportedConstruct(`literal: ${err.message}`);
    throw err;
  }
}

function compileVar(name: unknown): Compiled {
  switch (name) {
    case 'principal':
      return (env) => env.principal;
    case 'action':
      return (env) => env.action;
    case 'resource':
      return (env) => env.resource;
    case 'context':
      return (env) => env.context;
    default:
      throw new UnsupportedConstruct(`variable ${String(name)}`);
  }
}

function compileComparison(op: '<' | '<=' | '>' | '>=', l: Compiled, r: Compiled): Compiled {
  switch (op) {
    case '<':
      return (env) => {
        const [a, b] = comparable(l(env), r(env));
        return a < b;
      };
    case '<=':
      return (env) => {
        const [a, b] = comparable(l(env), r(env));
        return a <= b;
      };
    case '>':
      return (env) => {
        const [a, b] = comparable(l(env), r(env));
        return a > b;
      };
    case '>=':
      return (env) => {
        const [a, b] = comparable(l(env), r(env));
        return a >= b;
      };
  }
}

/** `e has a.b.c` is `e has a && e.a has b && e.a.b has c`. */
function compileHas(body: Json, sub: (e: unknown) => Compiled): Compiled {
  const left = sub(body.left);
  const path = Array.isArray(body.attr) ? (body.attr as string[]) : [body.attr as string];
  if (path.length === 0) throw new UnsupportedConstruct('empty `has` path');
  if (path.length === 1) {
    const attr = path[0] as string;
    return (env) => hasAttr(left(env), attr, env.entities);
  }
  return (env) => {
    let target = left(env);
    for (let i = 0; i < path.length; i++) {
      const attr = path[i] as string;
      if (!hasAttr(target, attr, env.entities)) return false;
      if (i < path.length - 1) target = getAttr(target, attr, env.entities);
    }
    return true;
  };
}

/** `e is T` and `e is T in E` (the `in` is evaluated only when the type matches). */
function compileIs(body: Json, sub: (e: unknown) => Compiled): Compiled {
  const left = sub(body.left);
  const type = body.entity_type as string;
  if (body.in === undefined) return (env) => asEntity(left(env)).type === type;
  const inner = sub(body.in);
  return (env) => {
    const uid = asEntity(left(env));
    if (uid.type !== type) return false;
    return evalIn(uid, inner(env), env.entities);
  };
}

function compileExtCall(name: string, body: unknown, sub: (e: unknown) => Compiled): Compiled {
  const fn = EXT_FUNCTIONS.get(name);
  if (fn === undefined) throw new UnsupportedConstruct(`operator or function \`${name}\``);
  if (!Array.isArray(body) || body.length !== fn.arity) throw new UnsupportedConstruct(`\`${name}\` with ${Array.isArray(body) ? body.length : 0} arguments`);
  const args = body.map(sub);
  // A constructor over a literal string is evaluated once, unless it errors (then it errors per request).
  if (args.length === 1 && isLiteralString(body[0])) {
    let folded: Value | undefined;
    try {
      folded = fn.call([(body[0] as { Value: string }).Value]);
    } catch (err) {
      if (!(err instanceof CedarError)) throw err;
    }
    if (folded !== undefined) return constant(folded);
  }
  if (args.length === 1) {
    const a = args[0] as Compiled;
    return (env) => fn.call([a(env)]);
  }
  return (env) => fn.call(evalAll(args, env));
}

/** Evaluates closures in order (a plain loop: exceptions never cross an Array builtin's callback). */
function evalAll(fns: readonly Compiled[], env: Env): Value[] {
  const out = new Array<Value>(fns.length);
  for (let i = 0; i < fns.length; i++) out[i] = (fns[i] as Compiled)(env);
  return out;
}

function isLiteralString(e: unknown): boolean {
  return typeof e === 'object' && e !== null && typeof (e as { Value?: unknown }).Value === 'string';
}
