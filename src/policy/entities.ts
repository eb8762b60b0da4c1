/** Conversion of Warden's principals, resources and request facts into Cedar's JSON forms. */
import { WardenError, type Principal, type ResourceRef } from '../core/index.js';
import type { CedarValueJson, EntityJson, EntityUidJson } from './engine/types.js';

export const NAMESPACE = 'Warden';

export function uid(type: string, id: string): EntityUidJson {
  return { type: type.includes('::') ? type : `${NAMESPACE}::${type}`, id };
}

/**
 * Converts a JSON value (from configuration or a caller of /v1/authorize) into a Cedar value: integers
 * stay Longs (bigints from a lossless parser included, within i64), arrays become sets, objects records.
 * A value Cedar cannot hold exactly (a fraction, an integer a double has rounded, one beyond i64, null,
 * nesting deeper than 16) is refused with `validation_failed`, never dropped: a dropped attribute makes
 * a `forbid` that reads it error and be skipped, which would turn a deny into an allow. `undefined` is
 * "no value" (the key is left out), as in JSON.
 */
export function toCedarValue(value: unknown, path = 'value', depth = 0): CedarValueJson | undefined {
  const refuse = (why: string): never => {
    throw new WardenError('validation_failed', `\`${path}\`: ${why}`);
  };
  if (depth > 16) return refuse('nested more than 16 levels deep');
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isSafeInteger(value) ? value : refuse('Cedar holds only integers of at most 2^53 - 1 sent as JSON numbers here');
    case 'bigint':
      return value >= I64_MIN && value <= I64_MAX ? (value as unknown as CedarValueJson) : refuse('the integer is outside Cedar\'s Long range (i64)');
    case 'object': {
      if (value === null) return refuse('null is not a Cedar value');
      if (Array.isArray(value)) {
        return value.map((v, i) => toCedarValue(v, `${path}[${i}]`, depth + 1) ?? refuse(`element ${i} has no value`));
      }
      // no prototype: an attribute named `__proto__` stays an attribute
      const record = Object.create(null) as Record<string, CedarValueJson>;
      for (const [k, v] of Object.entries(value)) {
        const converted = toCedarValue(v, `${path}.${k}`, depth + 1);
        if (converted !== undefined) record[k] = converted;
      }
      return record;
    }
    default:
      return refuse(`a ${typeof value} is not a Cedar value`);
  }
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export function toCedarRecord(value: Record<string, unknown>, path = 'attributes'): Record<string, CedarValueJson> {
  return toCedarValue(value, path) as Record<string, CedarValueJson>;
}

export function principalEntity(principal: Principal): EntityJson {
  return {
    uid: uid(principal.kind, principal.id),
    attrs: { ...toCedarRecord(principal.attributes, `principal \`${principal.id}\` attributes`), roles: principal.roles },
    parents: principal.groups.map((g) => uid('Group', g)),
  };
}

export function resourceEntity(resource: ResourceRef): EntityJson {
  return { uid: uid(resource.type, resource.id), attrs: toCedarRecord(resource.attributes, 'resource.attributes'), parents: [] };
}

export function ipValue(ip: string): CedarValueJson {
  return { __extn: { fn: 'ip', arg: ip } };
}
