/**
 * Validates an OCSF event against the per-class fixture schemas in fixtures/ocsf (derived from the OCSF
 * schema files named in each fixture's `source`): required attributes, attribute types, enum values,
 * `at_least_one` constraints, profiles, unknown attributes, and type_uid = class_uid * 100 + activity_id.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

interface AttributeSpec {
  type: string;
  requirement: 'required' | 'recommended' | 'optional';
  enum?: (number | string)[];
  is_array?: boolean;
  profile?: string;
}
interface ObjectSpec {
  attributes: Record<string, AttributeSpec>;
  constraints?: { at_least_one?: string[] };
}
interface ClassSpec extends ObjectSpec {
  name: string;
  class_uid: number;
  category_uid: number;
  activity_ids: number[];
}

const dir = join(import.meta.dirname, 'fixtures', 'ocsf');
const load = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));

export const BASE = load('base_event.json') as ObjectSpec;
export const OBJECTS = (load('objects.json') as { objects: Record<string, ObjectSpec> }).objects;
export const CLASSES: Map<number, ClassSpec> = new Map(
  readdirSync(dir)
    .filter((f) => f !== 'objects.json' && f !== 'base_event.json')
    .map((f) => load(f) as ClassSpec)
    .map((c) => [c.class_uid, c]),
);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkScalar(type: string, value: unknown): string | undefined {
  switch (type) {
    case 'integer_t':
    case 'long_t':
    case 'timestamp_t':
      return Number.isInteger(value) ? undefined : `expected ${type}, got ${JSON.stringify(value)}`;
    case 'float_t':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `expected float_t`;
    case 'boolean_t':
      return typeof value === 'boolean' ? undefined : `expected boolean_t`;
    case 'port_t':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535 ? undefined : 'expected port_t';
    case 'ip_t':
      return typeof value === 'string' && isIP(value) ? undefined : `expected ip_t, got ${JSON.stringify(value)}`;
    case 'json_t':
      return undefined;
    case 'object':
      return isPlainObject(value) ? undefined : 'expected object';
    default:
      if (type.endsWith('_t')) return typeof value === 'string' && value.length > 0 ? undefined : `expected non-empty ${type}`;
      return undefined;
  }
}

function checkObject(spec: ObjectSpec, value: Record<string, unknown>, path: string, errors: string[], profiles: string[]): void {
  for (const [name, attr] of Object.entries(spec.attributes)) {
    if (attr.requirement === 'required' && value[name] === undefined) errors.push(`${path}${name}: required attribute missing`);
  }
  for (const [name, v] of Object.entries(value)) {
    const attr = spec.attributes[name];
    const at = `${path}${name}`;
    if (!attr) {
      errors.push(`${at}: attribute not in the schema`);
      continue;
    }
    if (attr.profile && !profiles.includes(attr.profile)) errors.push(`${at}: needs profile \`${attr.profile}\` in metadata.profiles`);
    const items = attr.is_array ? (Array.isArray(v) ? v : (errors.push(`${at}: expected an array`), [])) : [v];
    if (!attr.is_array && Array.isArray(v)) errors.push(`${at}: unexpected array`);
    items.forEach((item, i) => {
      const ip = attr.is_array ? `${at}[${i}]` : at;
      if (attr.type.endsWith('_t') || attr.type === 'object') {
        const problem = checkScalar(attr.type, item);
        if (problem) errors.push(`${ip}: ${problem}`);
        if (attr.enum && !attr.enum.includes(item as number | string)) errors.push(`${ip}: ${JSON.stringify(item)} is not an enum value`);
        return;
      }
      if (!isPlainObject(item)) {
        errors.push(`${ip}: expected object \`${attr.type}\``);
        return;
      }
      const obj = OBJECTS[attr.type];
      if (obj) checkObject(obj, item, `${ip}.`, errors, profiles);
    });
  }
  for (const group of [spec.constraints?.at_least_one ?? []]) {
    if (group.length && !group.some((name) => value[name] !== undefined)) errors.push(`${path || '(event)'}: at least one of ${group.join(', ')} is required`);
  }
}

/** Returns the list of violations (empty when valid). */
export function validateOcsf(event: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const cls = CLASSES.get(event.class_uid as number);
  if (!cls) return [`class_uid ${String(event.class_uid)}: no fixture schema`];
  const attributes = { ...BASE.attributes, ...cls.attributes };
  // The class narrows base `activity_id` to its own enum.
  attributes.activity_id = { ...attributes.activity_id!, enum: cls.activity_ids };
  const profiles = isPlainObject(event.metadata) && Array.isArray(event.metadata.profiles) ? (event.metadata.profiles as string[]) : [];
  checkObject({ attributes, constraints: cls.constraints }, event, '', errors, profiles);
  if (event.category_uid !== cls.category_uid) errors.push(`category_uid: expected ${cls.category_uid}`);
  if (event.type_uid !== cls.class_uid * 100 + (event.activity_id as number)) errors.push('type_uid: must be class_uid * 100 + activity_id');
  return errors;
}
