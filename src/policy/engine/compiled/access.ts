/**
 * Entity and record access with Cedar's errors: attribute and tag lookup, `has`, and `in` over the
 * precomputed ancestor closure.
 */
import type { EntityLookup } from './entities.js';
import { CedarError, CedarRecord, CedarSet, EntityRef, asEntity, typeError, type Value } from './values.js';

/** Cedar `in`: equality or ancestry; a set on the right must hold only entities. */
export function evalIn(left: EntityRef, right: Value, entities: EntityLookup): boolean {
  if (right instanceof EntityRef) {
    if (left.key === right.key) return true;
    return entities.get(left.key)?.ancestors.has(right.key) ?? false;
  }
  if (right instanceof CedarSet) {
    // every element must be an entity (else a type error), even after a match
    for (const item of right.items) asEntity(item);
    const ancestors = entities.get(left.key)?.ancestors;
    for (const t of right.items as EntityRef[]) if (t.key === left.key || (ancestors?.has(t.key) ?? false)) return true;
    return false;
  }
  throw typeError('set or entity', right);
}

export function getAttr(target: Value, attr: string, entities: EntityLookup): Value {
  if (target instanceof EntityRef) {
    const entity = entities.get(target.key);
    if (entity === undefined) throw new CedarError(`entity \`${target.key}\` does not exist`);
    const v = entity.attrs.get(attr);
    if (v === undefined) throw new CedarError(`\`${target.key}\` does not have the attribute \`${attr}\``);
    return v;
  }
  if (target instanceof CedarRecord) {
    const v = target.attrs.get(attr);
    if (v === undefined) throw new CedarError(`record does not have the attribute \`${attr}\``);
    return v;
  }
  throw typeError('entity or record', target);
}

export function hasAttr(target: Value, attr: string, entities: EntityLookup): boolean {
  if (target instanceof EntityRef) return entities.get(target.key)?.attrs.has(attr) ?? false;
  if (target instanceof CedarRecord) return target.attrs.has(attr);
  throw typeError('entity or record', target);
}

export function getTag(uid: EntityRef, tag: string, entities: EntityLookup): Value {
  const entity = entities.get(uid.key);
  if (entity === undefined) throw new CedarError(`entity \`${uid.key}\` does not exist`);
  const v = entity.tags.get(tag);
  if (v === undefined) throw new CedarError(`\`${uid.key}\` does not have the tag \`${tag}\``);
  return v;
}
