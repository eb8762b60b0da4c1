/**
 * Runtime values of the compiled evaluator. Cedar's types map onto JavaScript as:
 * Bool -> boolean, Long -> bigint (i64, checked), String -> string, entity -> EntityRef, Set -> CedarSet,
 * Record -> CedarRecord, extension values -> ExtValue subclasses (see extensions.ts).
 *
 * Every value has a canonical key (`keyOf`) such that two values are equal in Cedar exactly when their
 * keys are equal; sets and records cache theirs, so set membership is a hash lookup.
 */

/** An evaluation error: the policy that raised it is skipped and reported in the diagnostics. */
export class CedarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CedarError';
  }
}

/** A policy construct the compiler does not handle: the policy set falls back to cedar-wasm. */
export class UnsupportedConstruct extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedConstruct';
  }
}

export class EntityRef {
  constructor(
    readonly type: string,
    readonly id: string,
    /** `Type::"id"` (see entityKey): unique per entity. */
    readonly key: string,
  ) {}
  toString(): string {
    return this.key;
  }
}

/**
 * `Type::"id"`, with the id unescaped: still one key per entity, because a type name never holds a
 * `"`, so the first `"` starts the id.
 */
export function entityKey(type: string, id: string): string {
  return `${type}::"${id}"`;
}

export function makeEntity(type: string, id: string): EntityRef {
  return new EntityRef(type, id, entityKey(type, id));
}

export abstract class ExtValue {
  abstract readonly kind: 'ipaddr' | 'decimal' | 'datetime' | 'duration';
  /** Canonical form: equal values have equal keys. */
  abstract key(): string;
}

export class CedarSet {
  private keys: Map<string, Value> | undefined;
  constructor(readonly items: readonly Value[]) {}
  /** The distinct elements by canonical key. */
  index(): Map<string, Value> {
    if (this.keys === undefined) {
      const keys = new Map<string, Value>();
      for (const item of this.items) keys.set(keyOf(item), item);
      this.keys = keys;
    }
    return this.keys;
  }
  has(v: Value): boolean {
    return this.index().has(keyOf(v));
  }
  get size(): number {
    return this.index().size;
  }
}

export class CedarRecord {
  private cachedKey: string | undefined;
  constructor(readonly attrs: ReadonlyMap<string, Value>) {}
  key(): string {
    if (this.cachedKey === undefined) {
      const parts = [...this.attrs.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${JSON.stringify(k)}:${keyOf(v)}`);
      this.cachedKey = `{${parts.join(',')}}`;
    }
    return this.cachedKey;
  }
}

export type Value = boolean | bigint | string | EntityRef | CedarSet | CedarRecord | ExtValue;

export function keyOf(v: Value): string {
  switch (typeof v) {
    case 'boolean':
      return v ? 'T' : 'F';
    case 'bigint':
      return `L${v}`;
    case 'string':
      return `S${v}`;
    default:
      if (v instanceof EntityRef) return `E${v.key}`;
      if (v instanceof CedarSet) {
        const keys = [...v.index().keys()].sort();
        return `[${keys.join(',')}]`;
      }
      if (v instanceof CedarRecord) return `R${v.key()}`;
      return `X${v.kind}:${v.key()}`;
  }
}

/** Cedar `==`: never an error; values of different types are unequal. */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta !== 'object' || typeof b !== 'object') return false;
  if (a instanceof EntityRef) return b instanceof EntityRef && a.key === b.key;
  return keyOf(a) === keyOf(b);
}

export const I64_MIN = -(2n ** 63n);
export const I64_MAX = 2n ** 63n - 1n;

export function checkedLong(v: bigint, op: string): bigint {
  if (v > I64_MAX || v < I64_MIN) throw new CedarError(`integer overflow while attempting to ${op}`);
  return v;
}

export function typeName(v: Value): string {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'long';
    case 'string':
      return 'string';
    default:
      if (v instanceof EntityRef) return `(entity of type \`${v.type}\`)`;
      if (v instanceof CedarSet) return 'set';
      if (v instanceof CedarRecord) return 'record';
      return v.kind;
  }
}

export function typeError(expected: string, v: Value): CedarError {
  return new CedarError(`type error: expected ${expected}, got ${typeName(v)}`);
}

export function asBool(v: Value): boolean {
  if (typeof v !== 'boolean') throw typeError('bool', v);
  return v;
}

export function asLong(v: Value): bigint {
  if (typeof v !== 'bigint') throw typeError('long', v);
  return v;
}

export function asString(v: Value): string {
  if (typeof v !== 'string') throw typeError('string', v);
  return v;
}

export function asEntity(v: Value): EntityRef {
  if (!(v instanceof EntityRef)) throw typeError('entity', v);
  return v;
}

export function asSet(v: Value): CedarSet {
  if (!(v instanceof CedarSet)) throw typeError('set', v);
  return v;
}
