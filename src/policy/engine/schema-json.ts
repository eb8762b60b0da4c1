/**
 * Reads entity and context JSON the way Cedar does when given a schema: a value whose declared type is
 * an extension type may be written as a plain string (`"0.6"` for a `decimal`), an entity reference as
 * `{"type", "id"}` without `__entity`; and the schema's actions become entities (with their `memberOf`
 * hierarchy). The output is schema-free Cedar JSON with explicit escapes, which any engine reads alike.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { CedarValueJson, EntityJson, Schema } from './types.js';

export interface SchemaReader {
  /** Entities with their values made explicit; with `withActions`, plus the schema's action entities. */
  entities(list: readonly EntityJson[], withActions?: boolean): EntityJson[];
  context(context: Record<string, CedarValueJson>, actionType: string, actionId: string): Record<string, CedarValueJson>;
}

export class SchemaReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaReadError';
  }
}

type SchemaType = { type: string; [k: string]: unknown };
interface NamespaceJson {
  commonTypes?: Record<string, SchemaType>;
  entityTypes?: Record<string, { shape?: SchemaType; tags?: SchemaType }>;
  actions?: Record<string, { appliesTo?: { context?: SchemaType }; memberOf?: { id: string; type?: string }[]; attributes?: Record<string, CedarValueJson> }>;
}

// Maps and own-property lookups throughout: attribute names come from data, and `__proto__`,
// `constructor` or `toString` are valid Cedar attribute names that a plain object lookup would misread.
const EXTENSION_CONSTRUCTORS = new Map([
  ['ipaddr', 'ip'],
  ['decimal', 'decimal'],
  ['datetime', 'datetime'],
  ['duration', 'duration'],
]);
const own = <T>(obj: Record<string, T> | undefined, key: string): T | undefined => (obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined);

function resolvedSchemaJson(schema: Schema): Record<string, NamespaceJson> {
  let text: string;
  if (typeof schema === 'string') text = schema;
  else {
    const asText = cedar.schemaToText(schema);
    if (asText.type === 'failure') throw new SchemaReadError(asText.errors.map((e) => e.message).join('; '));
    text = asText.text;
  }
  const answer = cedar.schemaToJsonWithResolvedTypes(text);
  if (answer.type === 'failure') throw new SchemaReadError(answer.errors.map((e) => e.message).join('; '));
  return answer.json as unknown as Record<string, NamespaceJson>;
}

const qualify = (ns: string, name: string): string => (ns === '' ? name : `${ns}::${name}`);

export function createSchemaReader(schema: Schema): SchemaReader {
  const json = resolvedSchemaJson(schema);
  const common = new Map<string, SchemaType>();
  const entityTypes = new Map<string, { shape?: SchemaType; tags?: SchemaType }>();
  const actionContexts = new Map<string, SchemaType | undefined>();
  const actionEntities: EntityJson[] = [];
  for (const [ns, def] of Object.entries(json)) {
    for (const [name, t] of Object.entries(def.commonTypes ?? {})) common.set(qualify(ns, name), t);
    for (const [name, t] of Object.entries(def.entityTypes ?? {})) entityTypes.set(qualify(ns, name), t);
    const actionType = qualify(ns, 'Action');
    for (const [id, a] of Object.entries(def.actions ?? {})) {
      actionContexts.set(`${actionType}::${JSON.stringify(id)}`, a.appliesTo?.context);
      actionEntities.push({
        uid: { type: actionType, id },
        attrs: a.attributes ?? {},
        parents: (a.memberOf ?? []).map((m) => ({ type: m.type ?? actionType, id: m.id })),
      });
    }
  }
  const actionKeys = new Set(actionEntities.map((e) => `${(e.uid as { type: string }).type}::${JSON.stringify((e.uid as { id: string }).id)}`));

  const read = (v: CedarValueJson, t: SchemaType | undefined, depth = 0): CedarValueJson => {
    if (t === undefined || depth > 64) return v;
    const name = t.type.startsWith('__cedar::') ? t.type.slice('__cedar::'.length) : t.type;
    switch (name) {
      case 'String':
      case 'Long':
      case 'Boolean':
      case 'Bool':
        return v;
      case 'Set':
        return Array.isArray(v) ? v.map((x) => read(x, t.element as SchemaType, depth + 1)) : v;
      case 'Record': {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
        const attrs = t.attributes as Record<string, SchemaType> | undefined;
        const out = Object.create(null) as Record<string, CedarValueJson>;
        for (const [k, x] of Object.entries(v)) out[k] = read(x, own(attrs, k), depth + 1);
        return out;
      }
      case 'Entity':
      case 'EntityOrCommon': {
        if (name === 'EntityOrCommon' && common.has(t.name as string)) return read(v, common.get(t.name as string), depth + 1);
        if (typeof v === 'object' && v !== null && !Array.isArray(v) && !('__entity' in v) && 'type' in v && 'id' in v) {
          return { __entity: { type: v.type as string, id: v.id as string } };
        }
        return v;
      }
      case 'Extension':
        return readExtension(v, t.name as string);
      default:
        if (EXTENSION_CONSTRUCTORS.has(name)) return readExtension(v, name);
        if (common.has(name)) return read(v, common.get(name), depth + 1);
        if (entityTypes.has(name)) return read(v, { type: 'Entity', name }, depth + 1);
        return v;
    }
  };

  const readEntity = (e: EntityJson): EntityJson => {
    const uid = ('__entity' in e.uid ? e.uid.__entity : e.uid) as { type: string; id: string };
    const def = entityTypes.get(uid.type);
    const attrs = def?.shape === undefined ? e.attrs : (read(e.attrs ?? {}, def.shape) as Record<string, CedarValueJson>);
    const out: EntityJson = { uid: e.uid, attrs: attrs ?? {}, parents: e.parents ?? [] };
    if (e.tags !== undefined && e.tags !== null) {
      const tags = Object.create(null) as Record<string, CedarValueJson>;
      for (const [k, x] of Object.entries(e.tags)) tags[k] = read(x, def?.tags);
      out.tags = tags;
    }
    return out;
  };

  return {
    entities(list, withActions = true) {
      const out = list.map(readEntity);
      if (!withActions) return out;
      const isSchemaAction = (e: EntityJson): boolean => {
        const uid = ('__entity' in e.uid ? e.uid.__entity : e.uid) as { type: string; id: string };
        return actionKeys.has(`${uid.type}::${JSON.stringify(uid.id)}`);
      };
      return [...out.filter((e) => !isSchemaAction(e)), ...actionEntities];
    },
    context(context, actionType, actionId) {
      const t = actionContexts.get(`${actionType}::${JSON.stringify(actionId)}`);
      return t === undefined ? context : (read(context, t) as Record<string, CedarValueJson>);
    },
  };
}

function readExtension(v: CedarValueJson, typeName: string): CedarValueJson {
  const fn = EXTENSION_CONSTRUCTORS.get(typeName) ?? typeName;
  if (typeof v === 'string') return { __extn: { fn, arg: v } };
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !('__extn' in v) && 'fn' in v) {
    return { __extn: v as never };
  }
  return v;
}
