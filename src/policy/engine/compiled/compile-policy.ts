/**
 * Compiles one policy (static, or a template with its link's slot values) into a predicate over the
 * request. Cedar evaluates a policy as `scope && when_1 && !unless_1 && ...` left to right with
 * short-circuit, so a condition after a false one never raises its error.
 */
import type { PolicyJson } from '../types.js';
import { compileExpr, evalIn, type Compiled, type Env, type Slots } from './compile-expr.js';
import { uidFromJson } from './entities.js';
import { UnsupportedConstruct, asBool, type EntityRef } from './values.js';

export interface CompiledPolicy {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  /** True when the policy is satisfied; throws `CedarError` when its evaluation errors. */
  readonly satisfied: (env: Env) => boolean;
}

type Scope = (uid: EntityRef, env: Env) => boolean;

function target(c: Record<string, unknown>, slots: Slots): EntityRef {
  if (c.slot !== undefined) {
    const uid = slots.get(c.slot as string);
    if (uid === undefined) throw new UnsupportedConstruct(`unlinked slot ${String(c.slot)}`);
    return uid;
  }
  if (c.entity === undefined) throw new UnsupportedConstruct('scope constraint without entity');
  return uidFromJson(c.entity as never);
}

function compileScope(c: Record<string, unknown>, slots: Slots, what: string): Scope | undefined {
  switch (c.op) {
    case 'All':
      return undefined;
    case '==': {
      const key = target(c, slots).key;
      return (uid) => uid.key === key;
    }
    case 'in': {
      if (Array.isArray(c.entities)) {
        const keys = (c.entities as unknown[]).map((e) => uidFromJson(e as never));
        return (uid, env) => {
          const ancestors = env.entities.get(uid.key)?.ancestors;
          for (const k of keys) if (k.key === uid.key || (ancestors?.has(k.key) ?? false)) return true;
          return false;
        };
      }
      const t = target(c, slots);
      return (uid, env) => evalIn(uid, t, env.entities);
    }
    case 'is': {
      const type = c.entity_type as string;
      if (c.in === undefined) return (uid) => uid.type === type;
      const t = target(c.in as Record<string, unknown>, slots);
      return (uid, env) => uid.type === type && evalIn(uid, t, env.entities);
    }
    default:
      throw new UnsupportedConstruct(`${what} scope operator ${String(c.op)}`);
  }
}

export function compilePolicy(id: string, json: PolicyJson, slots: Slots): CompiledPolicy {
  if (json.effect !== 'permit' && json.effect !== 'forbid') throw new UnsupportedConstruct(`effect ${String(json.effect)}`);
  const principal = compileScope(json.principal as Record<string, unknown>, slots, 'principal');
  const action = compileScope(json.action as Record<string, unknown>, slots, 'action');
  const resource = compileScope(json.resource as Record<string, unknown>, slots, 'resource');
  const conditions: { when: boolean; body: Compiled }[] = (json.conditions ?? []).map((c) => {
    if (c.kind !== 'when' && c.kind !== 'unless') throw new UnsupportedConstruct(`condition kind ${String((c as { kind: unknown }).kind)}`);
    return { when: c.kind === 'when', body: compileExpr(c.body, slots) };
  });
  const satisfied = (env: Env): boolean => {
    if (principal !== undefined && !principal(env.principal, env)) return false;
    if (action !== undefined && !action(env.action, env)) return false;
    if (resource !== undefined && !resource(env.resource, env)) return false;
    for (const c of conditions) {
      if (asBool(c.body(env)) !== c.when) return false;
    }
    return true;
  };
  return { id, effect: json.effect, satisfied };
}
