/** Conversion of Warden's principals, resources and request facts into Cedar's JSON forms. */
import type { Principal, ResourceRef } from '../core/types.js';
import type { CedarValueJson, EntityJson, EntityUidJson } from './engine/types.js';

export const NAMESPACE = 'Warden';

export function uid(type: string, id: string): EntityUidJson {
  return { type: type.includes('::') ? type : `${NAMESPACE}::${type}`, id };
}

/**
 * Converts a JSON value into a Cedar value: integers stay Longs, arrays become sets, objects records.
 * Values Cedar cannot hold (fractions, null, undefined) are dropped so policies see them as absent.
 */
export function toCedarValue(value: unknown, depth = 0): CedarValueJson | undefined {
  if (depth > 16) return undefined;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isSafeInteger(value) ? value : undefined;
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) return value.map((v) => toCedarValue(v, depth + 1)).filter((v): v is CedarValueJson => v !== undefined);
      const record: Record<string, CedarValueJson> = {};
      for (const [k, v] of Object.entries(value)) {
        const converted = toCedarValue(v, depth + 1);
        if (converted !== undefined) record[k] = converted;
      }
      return record;
    }
    default:
      return undefined;
  }
}

export function toCedarRecord(value: Record<string, unknown>): Record<string, CedarValueJson> {
  return toCedarValue(value) as Record<string, CedarValueJson>;
}

export function principalEntity(principal: Principal): EntityJson {
  return {
    uid: uid(principal.kind, principal.id),
    attrs: { ...toCedarRecord(principal.attributes), roles: principal.roles },
    parents: principal.groups.map((g) => uid('Group', g)),
  };
}

export function resourceEntity(resource: ResourceRef): EntityJson {
  return { uid: uid(resource.type, resource.id), attrs: toCedarRecord(resource.attributes), parents: [] };
}

export function ipValue(ip: string): CedarValueJson {
  return { __extn: { fn: 'ip', arg: ip } };
}
