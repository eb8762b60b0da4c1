/**
 * The entity store of the compiled evaluator: entities converted once to runtime values and indexed by
 * uid, with each entity's transitive ancestors precomputed. Request entities (the caller, its device)
 * form a small overlay for one request; only when one of them replaces an entity that other entities
 * descend from is the closure recomputed over the merged set.
 */
import type { CedarValueJson, EntityJson, EntityUidJson } from '../types.js';
import { EXT_FUNCTIONS } from './ext-functions.js';
import { JsonFloat } from '../../../core/index.js';
import { CedarError, CedarRecord, CedarSet, makeEntity, type EntityRef, type Value } from './values.js';

export interface IndexedEntity {
  readonly uid: EntityRef;
  readonly attrs: ReadonlyMap<string, Value>;
  readonly tags: ReadonlyMap<string, Value>;
  /** Keys of every transitive ancestor (parents that are not in the store included). */
  readonly ancestors: ReadonlySet<string>;
}

export interface EntityLookup {
  get(key: string): IndexedEntity | undefined;
}

/** Raised for entity or context JSON that Cedar would refuse: the whole request fails, as with wasm. */
export class EntityDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntityDataError';
  }
}

/**
 * Cedar's rule for entity type names in JSON: `Ident(::Ident)*` without spaces, no segment a reserved
 * word, no `__cedar` segment (checked against cedar-wasm: `if`, `in`, `__cedar::X`, `U `, `U:: V` are
 * refused; `Action`, `principal`, `permit` are accepted).
 */
const IDENT = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const RESERVED = new Set(['true', 'false', 'if', 'then', 'else', 'in', 'is', 'like', 'has', '__cedar']);
const validTypes = new Set<string>();

function checkTypeName(type: string): void {
  if (validTypes.has(type)) return;
  for (const segment of type.split('::')) {
    if (!IDENT.test(segment) || RESERVED.has(segment)) throw new EntityDataError(`\`${type}\` is not a valid entity type name`);
  }
  // a bounded cache: type names are few, but they come from request data
  if (validTypes.size < 10_000) validTypes.add(type);
}

/** An entity uid in a uid position (`uid`, `parents`, the request's principal/action/resource). */
export function uidFromJson(uid: EntityUidJson): EntityRef {
  const ref = isObject(uid) && (uid as { __entity?: unknown }).__entity !== undefined ? (uid as { __entity: unknown }).__entity : uid;
  if (!isObject(ref)) throw new EntityDataError('an entity uid must be an object');
  const { type, id } = ref as { type?: unknown; id?: unknown };
  if (typeof type !== 'string' || typeof id !== 'string') throw new EntityDataError('an entity uid needs a string `type` and `id`');
  checkTypeName(type);
  return makeEntity(type, id);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The keys `JSON.stringify` would write (the ones cedar-wasm sees): undefined values are left out. */
function presentKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj);
  for (const k of keys) if (obj[k] === undefined || typeof obj[k] === 'function' || typeof obj[k] === 'symbol') return keys.filter((x) => obj[x] !== undefined && typeof obj[x] !== 'function' && typeof obj[x] !== 'symbol');
  return keys;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * An integer as Cedar reads it from JSON. A `bigint` (from a lossless parser) must fit i64. A `number`
 * reaches cedar-wasm as `JSON.stringify` writes it: an integral double below 1e21 as its exact digits
 * (then i64-checked), anything else (fractions, 1e21 and beyond, NaN) as a float, which Cedar refuses.
 */
function longFromJson(n: number | bigint): bigint {
  let v: bigint;
  if (typeof n === 'bigint') v = n;
  else {
    if (!Number.isInteger(n) || Math.abs(n) >= 1e21) throw new EntityDataError(`\`${n}\` is not an integer Cedar can hold`);
    v = BigInt(n);
  }
  if (v < LONG_MIN || v > LONG_MAX) throw new EntityDataError(`\`${v}\` is outside Cedar's Long range (i64)`);
  return v;
}

/**
 * Converts Cedar's JSON value format to a runtime value, exactly as Cedar's untagged value reader does
 * without a schema (each rule checked against cedar-wasm): `{"__entity": {type, id}}` is an entity only
 * when `__entity` is the only key and holds string `type` and `id` (extra keys inside are ignored);
 * `{"__extn": {fn, arg}}` or `{"__extn": {fn, args: [...]}}` is an extension call only when `__extn` is
 * the only key and `fn` a string; anything else shaped like them is an ordinary record. `{"__expr": "..."}`
 * is refused (Cedar dropped that escape). `null`, floats and integers outside i64 are refused.
 */
export function valueFromJson(json: CedarValueJson): Value {
  const raw = json as unknown;
  switch (typeof raw) {
    case 'boolean':
    case 'string':
      return raw;
    case 'number':
    case 'bigint':
      return longFromJson(raw);
    case 'object': {
      if (raw === null) throw new EntityDataError('JSON `null`s are not allowed in Cedar');
      if (raw instanceof JsonFloat) throw new EntityDataError(`\`${raw.text}\` is not an integer Cedar can hold`);
      if (Array.isArray(raw)) {
        const items = new Array<Value>(raw.length);
        for (let i = 0; i < raw.length; i++) items[i] = valueFromJson((raw[i] === undefined ? null : raw[i]) as CedarValueJson);
        return new CedarSet(items);
      }
      const obj = raw as Record<string, unknown>;
      const keys = presentKeys(obj);
      if (keys.length === 1) {
        const only = keys[0] as string;
        const inner = obj[only];
        if (only === '__entity' && isObject(inner) && typeof inner.type === 'string' && typeof inner.id === 'string') {
          checkTypeName(inner.type);
          return makeEntity(inner.type, inner.id);
        }
        if (only === '__extn' && isObject(inner) && typeof inner.fn === 'string') {
          if (inner.arg !== undefined) return extnFromJson(inner.fn, [inner.arg as CedarValueJson]);
          if (Array.isArray(inner.args)) return extnFromJson(inner.fn, inner.args as CedarValueJson[]);
        }
        if (only === '__expr' && typeof inner === 'string') throw new EntityDataError('the `__expr` escape is no longer supported');
      }
      return new CedarRecord(recordFromJson(obj, keys));
    }
    default:
      throw new EntityDataError('unsupported JSON value');
  }
}

function recordFromJson(obj: Record<string, unknown>, keys: readonly string[] = presentKeys(obj)): Map<string, Value> {
  const attrs = new Map<string, Value>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    attrs.set(k, valueFromJson(obj[k] as CedarValueJson));
  }
  return attrs;
}

function extnFromJson(fn: string, argv: readonly CedarValueJson[]): Value {
  const f = EXT_FUNCTIONS.get(fn);
  if (f === undefined) throw new EntityDataError(`extension function \`${fn}\` does not exist`);
  if (argv.length !== f.arity) throw new EntityDataError(`wrong number of arguments for \`${fn}\``);
  try {
    const values: Value[] = [];
    for (const a of argv) values.push(valueFromJson(a));
    return f.call(values);
  } catch (err) {
    if (err instanceof CedarError) throw new EntityDataError(err.message);
    throw err;
  }
}

interface RawEntity {
  uid: EntityRef;
  attrs: ReadonlyMap<string, Value>;
  tags: ReadonlyMap<string, Value>;
  parents: string[];
}

const EMPTY: ReadonlyMap<string, Value> = new Map();

/** One entity object, with Cedar's shape rules: `uid`, `attrs` (a map) and `parents` (a list) are
 * required, `tags` optional but never null; other keys are ignored (as cedar-wasm ignores them). */
function convertEntity(e: EntityJson): RawEntity {
  if (!isObject(e)) throw new EntityDataError('an entity must be an object');
  const uid = uidFromJson(e.uid);
  const attrs = e.attrs as unknown;
  const parentsJson = e.parents as unknown;
  const tagsJson = e.tags as unknown;
  if (!isObject(attrs)) throw new EntityDataError(`\`${uid.key}\`: \`attrs\` must be a map`);
  if (!Array.isArray(parentsJson)) throw new EntityDataError(`\`${uid.key}\`: \`parents\` must be a list`);
  if (tagsJson !== undefined && !isObject(tagsJson)) throw new EntityDataError(`\`${uid.key}\`: \`tags\` must be a map`);
  const parents: string[] = [];
  for (const p of parentsJson as EntityUidJson[]) parents.push(uidFromJson(p).key);
  return { uid, attrs: recordFromJson(attrs), tags: tagsJson === undefined ? EMPTY : recordFromJson(tagsJson), parents };
}

/** Transitive ancestors of `start` over `raw`, by depth-first search (cycles tolerated). */
function closure(start: RawEntity, lookupRaw: (key: string) => RawEntity | undefined, known?: (key: string) => ReadonlySet<string> | undefined): Set<string> {
  const out = new Set<string>();
  const stack = [...start.parents];
  while (stack.length > 0) {
    const key = stack.pop() as string;
    if (out.has(key)) continue;
    out.add(key);
    const precomputed = known?.(key);
    if (precomputed !== undefined) {
      for (const a of precomputed) out.add(a);
      continue;
    }
    const parent = lookupRaw(key);
    if (parent !== undefined) stack.push(...parent.parents);
  }
  // Cedar refuses an entity hierarchy with a cycle (the whole request fails)
  if (out.has(start.uid.key)) throw new EntityDataError(`the entity hierarchy has a cycle containing \`${start.uid.key}\``);
  return out;
}

export class EntityStore implements EntityLookup {
  private constructor(
    private readonly map: Map<string, IndexedEntity>,
    private readonly raw: Map<string, RawEntity>,
    /** Keys that some entity names as a parent: replacing one of these changes other closures. */
    private readonly parentKeys: Set<string>,
  ) {}

  static build(entities: readonly EntityJson[]): EntityStore {
    const raw = new Map<string, RawEntity>();
    for (const e of entities) {
      const r = convertEntity(e);
      raw.set(r.uid.key, r);
    }
    return EntityStore.fromRaw(raw);
  }

  private static fromRaw(raw: Map<string, RawEntity>): EntityStore {
    const map = new Map<string, IndexedEntity>();
    const parentKeys = new Set<string>();
    for (const r of raw.values()) {
      for (const p of r.parents) parentKeys.add(p);
      map.set(r.uid.key, { uid: r.uid, attrs: r.attrs, tags: r.tags, ancestors: closure(r, (k) => raw.get(k)) });
    }
    return new EntityStore(map, raw, parentKeys);
  }

  get(key: string): IndexedEntity | undefined {
    return this.map.get(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** The store as seen by one request that brings `requestEntities` (which take precedence). */
  withRequestEntities(requestEntities: readonly EntityJson[]): EntityLookup {
    if (requestEntities.length === 0) return this;
    const extra = new Map<string, RawEntity>();
    let rebuild = false;
    for (const e of requestEntities) {
      const r = convertEntity(e);
      extra.set(r.uid.key, r);
      if (this.parentKeys.has(r.uid.key)) rebuild = true;
    }
    if (rebuild) {
      const merged = new Map(this.raw);
      for (const [k, r] of extra) merged.set(k, r);
      return EntityStore.fromRaw(merged);
    }
    return new Overlay(extra, this.raw, this.map);
  }
}

/** Request entities over the stored ones; their ancestors build on the stored, precomputed closures. */
class Overlay implements EntityLookup {
  private readonly entities = new Map<string, IndexedEntity>();
  constructor(
    private readonly extra: Map<string, RawEntity>,
    private readonly raw: Map<string, RawEntity>,
    private readonly base: Map<string, IndexedEntity>,
  ) {
    const lookupRaw = (k: string): RawEntity | undefined => extra.get(k) ?? raw.get(k);
    const known = (k: string): ReadonlySet<string> | undefined => (extra.has(k) ? undefined : base.get(k)?.ancestors);
    for (const r of extra.values()) {
      this.entities.set(r.uid.key, { uid: r.uid, attrs: r.attrs, tags: r.tags, ancestors: closure(r, lookupRaw, known) });
    }
  }
  get(key: string): IndexedEntity | undefined {
    return this.entities.get(key) ?? this.base.get(key);
  }
}
