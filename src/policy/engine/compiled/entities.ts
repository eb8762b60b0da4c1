/**
 * The entity store of the compiled evaluator: entities converted once to runtime values and indexed by
 * uid, with each entity's transitive ancestors precomputed. Request entities (the caller, its device)
 * form a small overlay for one request; only when one of them replaces an entity that other entities
 * descend from is the closure recomputed over the merged set.
 */
import type { CedarValueJson, EntityJson, EntityUidJson } from '../types.js';
import { EXT_FUNCTIONS } from './ext-functions.js';
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

export function uidFromJson(uid: EntityUidJson): EntityRef {
  const ref = (uid as { __entity?: unknown }).__entity !== undefined ? (uid as { __entity: unknown }).__entity : uid;
  if (typeof ref !== 'object' || ref === null) throw new EntityDataError('an entity uid must be an object');
  const { type, id } = ref as { type?: unknown; id?: unknown };
  if (typeof type !== 'string' || typeof id !== 'string') throw new EntityDataError('an entity uid needs a string `type` and `id`');
  return makeEntity(type, id);
}

/** Converts Cedar's JSON value format (with `__entity` and `__extn` escapes) to a runtime value. */
export function valueFromJson(json: CedarValueJson): Value {
  switch (typeof json) {
    case 'boolean':
    case 'string':
      return json;
    case 'number':
      if (!Number.isSafeInteger(json)) throw new EntityDataError(`\`${json}\` is not an integer Cedar can hold exactly`);
      return BigInt(json);
    case 'object': {
      if (json === null) throw new EntityDataError('null is not a Cedar value');
      if (Array.isArray(json)) {
        const items = new Array<Value>(json.length);
        for (let i = 0; i < json.length; i++) items[i] = valueFromJson(json[i] as CedarValueJson);
        return new CedarSet(items);
      }
      const obj = json as Record<string, CedarValueJson>;
      if ('__entity' in obj) return uidFromJson(obj as unknown as EntityUidJson);
      if ('__extn' in obj) return extnFromJson(obj.__extn);
      return new CedarRecord(recordFromJson(obj));
    }
    default:
      throw new EntityDataError('unsupported JSON value');
  }
}

function recordFromJson(obj: Record<string, CedarValueJson>): Map<string, Value> {
  const attrs = new Map<string, Value>();
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    attrs.set(k, valueFromJson(obj[k] as CedarValueJson));
  }
  return attrs;
}

function extnFromJson(extn: CedarValueJson): Value {
  if (typeof extn !== 'object' || extn === null || Array.isArray(extn)) throw new EntityDataError('bad `__extn` escape');
  const { fn, arg, args } = extn as { fn?: unknown; arg?: CedarValueJson; args?: CedarValueJson[] };
  const f = typeof fn === 'string' ? EXT_FUNCTIONS.get(fn) : undefined;
  if (f === undefined) throw new EntityDataError(`unknown extension function \`${String(fn)}\``);
  const argv = args !== undefined ? args : arg !== undefined ? [arg] : [];
  if (!Array.isArray(argv) || argv.length !== f.arity) throw new EntityDataError(`wrong number of arguments for \`${fn as string}\``);
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

function convertEntity(e: EntityJson): RawEntity {
  if (typeof e !== 'object' || e === null) throw new EntityDataError('an entity must be an object');
  const uid = uidFromJson(e.uid);
  const attrs = e.attrs === undefined || e.attrs === null ? EMPTY : recordFromJson(e.attrs);
  const tags = e.tags === undefined || e.tags === null ? EMPTY : recordFromJson(e.tags);
  const parents: string[] = [];
  for (const p of e.parents ?? []) parents.push(uidFromJson(p).key);
  return { uid, attrs, tags, parents };
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
