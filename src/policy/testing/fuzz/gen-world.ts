/**
 * A random "world" for differential fuzzing: entities conforming to a fixed schema (users in a DAG of
 * groups, documents in folders, an action hierarchy), a policy set with static policies, templates and
 * links, and random requests, some bringing request entities that replace stored ones.
 *
 * Schema (informal):
 *   User { name: String, age: Long, level: Long, active: Bool, tags: Set<String>, manager?: User,
 *          ip?: ipaddr, score?: decimal, profile: { dept: String, clearance?: Long } } in [Group]
 *   Group in [Group];  Folder in [Folder]
 *   Doc { owner: User, classification: Long, labels: Set<String>, readers: Set<User>, public: Bool,
 *         created?: datetime, ttl?: duration } tags Long|String in [Folder]
 *   actions read, write in readWrite; readWrite, delete, share in all
 *   context { authenticated: Bool, mfa?: Bool, risk: Long, ip?: ipaddr, dec?: decimal, time?: datetime,
 *             nested: { a: Long, b: String } }
 * About a third of the worlds carry this schema in Cedar form (FUZZ_SCHEMA): their data then use Cedar's
 * implicit forms too, requests are validated against it (or not, `validateRequest: false`), and some
 * requests do not conform. Data carry Longs beyond 2^53 and at the i64 edges (as bigints), escapes with
 * extra keys, escape look-alikes that are records, values Cedar refuses, and duplicate entities.
 */
import type { AuthzRequest, CedarValueJson, EntityJson, PolicySet } from '../../engine/index.js';
import { JsonFloat } from '../../../core/index.js';
import { DATETIMES, DURATIONS, ExprGen, IPS, LONGS, STRINGS, type Vocab } from './gen-expr.js';
import type { Rng } from './random.js';

export interface World {
  policies: PolicySet;
  entities: EntityJson[];
  /** In about a third of the worlds: the schema (Cedar text) both engines read the data with. */
  schema?: string;
}

export interface FuzzRequest {
  request: AuthzRequest;
  requestEntities: EntityJson[];
}

// The last user, group and doc are never defined (references to missing entities). Worlds are kept
// small: cedar-wasm's cost per request grows with the entity data it has to read.
const VOCAB: Vocab = {
  users: ['u0', 'u1', 'u2', 'u3', 'ghost'],
  groups: ['g0', 'g1', 'g2', 'gx'],
  docs: ['d0', 'd1', 'd2', 'dx'],
  folders: ['f0', 'f1', 'f2'],
  actions: ['read', 'write', 'readWrite', 'delete', 'share', 'all'],
};

const uid = (type: string, id: string): { type: string; id: string } => ({ type, id });
const ext = (fn: string, arg: string): CedarValueJson => ({ __extn: { fn, arg } });

/**
 * Longs in entity and context data, i64 edges and integers beyond 2^53 included. They are bigints when
 * a double cannot hold them, as the lossless JSON reader produces them (policy literals stay within 2^53:
 * beyond it a policy set runs on cedar-wasm, and nothing would be compared).
 */
const DATA_LONGS = [...LONGS, '9007199254740992', '9007199254740993', '-9007199254740993', '4611686018427387904', '9223372036854775807', '-9223372036854775808', '9223372036854775806'];
const num = (rng: Rng): CedarValueJson => {
  const v = BigInt(rng.pick(rng.chance(0.8) ? LONGS : DATA_LONGS));
  return (Number.isSafeInteger(Number(v)) ? Number(v) : v) as unknown as CedarValueJson;
};

/**
 * The world's schema, for worlds that carry one. Doc tags are strings here (a schema gives tags one type).
 * Every action applies to users on documents and folders.
 */
export const FUZZ_SCHEMA = `
entity Group in [Group];
entity Folder in [Folder];
entity User in [Group] { name: String, age: Long, level: Long, active: Bool, tags: Set<String>, manager?: User, ip?: ipaddr, score?: decimal, profile: { dept: String, clearance?: Long } };
entity Doc in [Folder] { owner: User, classification: Long, labels: Set<String>, readers: Set<User>, public: Bool, created?: datetime, ttl?: duration } tags String;
type Ctx = { authenticated: Bool, mfa?: Bool, risk: Long, ip?: ipaddr, dec?: decimal, time?: datetime, nested: { a: Long, b: String } };
action all appliesTo { principal: [User], resource: [Doc, Folder], context: Ctx };
action readWrite, delete, share in [all] appliesTo { principal: [User], resource: [Doc, Folder], context: Ctx };
action read, write in [readWrite] appliesTo { principal: [User], resource: [Doc, Folder], context: Ctx };
`;

/** How data is written: with a schema, Cedar also reads implicit forms (`{type, id}`, `"10.0.0.1"` for an ipaddr). */
interface Style {
  schema: boolean;
  rng: Rng;
}

/** An entity reference as an attribute value: `__entity`, or with a schema sometimes the implicit form. */
function ref(style: Style, type: string, id: string): CedarValueJson {
  if (style.schema && style.rng.chance(0.5)) return uid(type, id);
  // an escape may carry extra keys inside, which Cedar ignores
  return style.rng.chance(0.1) ? { __entity: { type, id, note: 'x' } } : { __entity: uid(type, id) };
}

/** An extension value: `__extn`, the `args` form, or with a schema a plain string or an implicit {fn, arg}. */
function extValue(style: Style, fn: string, arg: string): CedarValueJson {
  const r = style.rng.int(10);
  if (style.schema && r < 3) return arg;
  if (style.schema && r < 5) return { fn, arg };
  if (r === 9) return { __extn: { fn, args: [arg] } };
  return ext(fn, arg);
}

/**
 * Values that look like escapes but are records for Cedar (more than one key, or a malformed escape
 * body), and values Cedar refuses (null, a float, a Long beyond i64, the retired `__expr`): used rarely,
 * in data without a schema, where they exercise the value reader of both engines.
 */
function oddValue(rng: Rng): CedarValueJson {
  const odd: unknown[] = [
    { __entity: { type: 'User', id: 'u0' }, x: 1 },
    { __entity: 1 },
    { __entity: { type: 'User' } },
    { __extn: { fn: 'ip' } },
    { __extn: { fn: 'ip', arg: '10.0.0.1' }, y: 1 },
    { __extn: { fn: 'ip', args: '10.0.0.1' } },
    { type: 'User', id: 'u0' },
    { fn: 'ip', arg: '10.0.0.1' },
    JSON.parse('{"__proto__": 1}') as unknown, // an attribute named __proto__
    null,
    new JsonFloat(rng.pick(['1.0', '1e3', '-0', '0.5'])),
    BigInt(rng.pick(['9223372036854775808', '-9223372036854775809', '18446744073709551616'])),
    { __expr: '1' },
    { __entity: { type: rng.pick(['if', 'a b', '__cedar::X', 'in']), id: 'x' } },
  ];
  return rng.pick(odd) as CedarValueJson;
}

// Only well-formed extension values in entity data: a malformed one makes the whole request fail.
const GOOD_IPS = IPS.slice(0, 14);
const GOOD_DECIMALS = ['0.0', '1.0', '1.5', '-1.5', '0.25', '922337203685477.5807'];
const GOOD_DATETIMES = DATETIMES.slice(0, 7);
const GOOD_DURATIONS = DURATIONS.slice(0, 11);

function user(style: Style, id: string): EntityJson {
  const { rng } = style;
  const attrs: Record<string, CedarValueJson> = {
    name: rng.pick(STRINGS),
    age: num(rng),
    level: rng.int(5),
    active: rng.chance(0.5),
    tags: rng.subset(STRINGS, 0.3),
    profile: rng.chance(0.5) ? { dept: rng.pick(['eng', 'ops']), clearance: rng.int(4) } : { dept: rng.pick(['eng', 'ops']) },
  };
  if (rng.chance(0.5)) attrs.manager = ref(style, 'User', rng.pick(VOCAB.users));
  // (extension values are costly for cedar-wasm to read: kept sparse so that the fuzzer runs faster)
  if (rng.chance(0.3)) attrs.ip = extValue(style, 'ip', rng.pick(GOOD_IPS));
  if (rng.chance(0.3)) attrs.score = extValue(style, 'decimal', rng.pick(GOOD_DECIMALS));
  if (!style.schema && rng.chance(0.02)) attrs.odd = oddValue(rng);
  // parents as {type, id} or as an __entity escape (Cedar reads both)
  const parents = rng.subset(VOCAB.groups, 0.35).map((g) => (rng.chance(0.2) ? { __entity: uid('Group', g) } : uid('Group', g)));
  return { uid: rng.chance(0.1) ? { __entity: uid('User', id) } : uid('User', id), attrs, parents };
}

function doc(style: Style, id: string): EntityJson {
  const { rng } = style;
  const tags: Record<string, CedarValueJson> = {};
  if (rng.chance(0.6)) tags.rank = style.schema ? rng.pick(STRINGS) : num(rng);
  if (rng.chance(0.5)) tags.team = rng.pick(STRINGS);
  const attrs: Record<string, CedarValueJson> = {
    owner: ref(style, 'User', rng.pick(VOCAB.users)),
    classification: rng.int(4),
    labels: rng.subset(STRINGS, 0.3),
    readers: rng.subset(VOCAB.users, 0.3).map((u) => ref(style, 'User', u)),
    public: rng.chance(0.5),
  };
  if (rng.chance(0.4)) attrs.created = extValue(style, 'datetime', rng.pick(GOOD_DATETIMES));
  if (rng.chance(0.4)) attrs.ttl = extValue(style, 'duration', rng.pick(GOOD_DURATIONS));
  return {
    uid: uid('Doc', id),
    attrs,
    parents: rng.subset(VOCAB.folders, 0.4).map((f) => uid('Folder', f)),
    tags,
  };
}

function worldEntities(style: Style): EntityJson[] {
  const { rng } = style;
  const out: EntityJson[] = [];
  for (const id of VOCAB.users.slice(0, -1)) out.push(user(style, id));
  VOCAB.groups.slice(0, -1).forEach((id, i) => {
    // a DAG: a group's parents come later in the list (plus, rarely, one that does not exist)
    const later = VOCAB.groups.slice(i + 1);
    out.push({ uid: uid('Group', id), attrs: {}, parents: rng.subset(later, 0.4).map((g) => uid('Group', g)) });
  });
  for (const id of VOCAB.docs.slice(0, -1)) out.push(doc(style, id));
  VOCAB.folders.forEach((id, i) => {
    out.push({ uid: uid('Folder', id), attrs: {}, parents: rng.subset(VOCAB.folders.slice(i + 1), 0.5).map((f) => uid('Folder', f)) });
  });
  const actionParents: Record<string, string[]> = { read: ['readWrite'], write: ['readWrite'], readWrite: ['all'], delete: ['all'], share: ['all'], all: [] };
  // with a schema the actions come from it, and listing them in the data is optional
  if (!style.schema || rng.chance(0.5)) {
    for (const [id, parents] of Object.entries(actionParents)) {
      out.push({ uid: uid('Action', id), attrs: {}, parents: parents.map((p) => uid('Action', p)) });
    }
  }
  // a uid listed twice: the same entity again (accepted), or now and then different content (refused)
  if (rng.chance(0.03)) {
    const again = out[rng.int(out.length)] as EntityJson;
    out.push(rng.chance(0.7) ? { ...again } : { ...again, attrs: { ...again.attrs, extra: 1 } });
  }
  return out;
}

function scope(rng: Rng, v: 'principal' | 'resource', slot: boolean): string {
  if (slot) return rng.pick([`${v} == ?${v}`, `${v} in ?${v}`, `${v} is ${v === 'principal' ? 'User' : 'Doc'} in ?${v}`]);
  const [type, ids, groupType, groupIds] = v === 'principal' ? ['User', VOCAB.users, 'Group', VOCAB.groups] : ['Doc', VOCAB.docs, 'Folder', VOCAB.folders];
  switch (rng.int(5)) {
    case 0:
      return `${v} == ${type}::"${rng.pick(ids)}"`;
    case 1:
      return `${v} in ${groupType}::"${rng.pick(groupIds)}"`;
    case 2:
      return `${v} is ${type}`;
    case 3:
      return `${v} is ${type} in ${groupType}::"${rng.pick(groupIds)}"`;
    default:
      return v;
  }
}

function actionScope(rng: Rng): string {
  switch (rng.int(4)) {
    case 0:
      return `action == Action::"${rng.pick(VOCAB.actions)}"`;
    case 1:
      return `action in Action::"${rng.pick(VOCAB.actions)}"`;
    case 2:
      return `action in [${rng.subset(VOCAB.actions, 0.4).map((a) => `Action::"${a}"`).join(', ')}]`;
    default:
      return 'action';
  }
}

function policyText(rng: Rng, gen: ExprGen, slots: { principal: boolean; resource: boolean }): string {
  const effect = rng.chance(0.3) ? 'forbid' : 'permit';
  const conditions = Array.from({ length: rng.int(3) + (rng.chance(0.5) ? 1 : 0) }, () => {
    return `${rng.chance(0.75) ? 'when' : 'unless'} { ${gen.gen('bool', 1 + rng.int(3))} }`;
  });
  const annotation = rng.chance(0.2) ? '@on_deny("step_up") ' : '';
  return `${annotation}${effect} (${scope(rng, 'principal', slots.principal)}, ${actionScope(rng)}, ${scope(rng, 'resource', slots.resource)}) ${conditions.join(' ')};`;
}

export function generateWorld(rng: Rng): World {
  const gen = new ExprGen(rng, VOCAB);
  const staticPolicies: Record<string, string> = {};
  const count = 1 + rng.int(7);
  for (let i = 0; i < count; i++) staticPolicies[`p${i}`] = policyText(rng, gen, { principal: false, resource: false });
  const policies: PolicySet = { staticPolicies };
  if (rng.chance(0.4)) {
    const templates: Record<string, string> = {};
    const templateLinks: NonNullable<PolicySet['templateLinks']> = [];
    for (let t = 0; t < 1 + rng.int(2); t++) {
      const slots = rng.pick([
        { principal: true, resource: false },
        { principal: false, resource: true },
        { principal: true, resource: true },
      ]);
      templates[`t${t}`] = policyText(rng, gen, slots);
      for (let l = 0; l < 1 + rng.int(3); l++) {
        const values: Record<string, { type: string; id: string }> = {};
        if (slots.principal) values['?principal'] = rng.chance(0.6) ? uid('User', rng.pick(VOCAB.users)) : uid('Group', rng.pick(VOCAB.groups));
        if (slots.resource) values['?resource'] = rng.chance(0.6) ? uid('Doc', rng.pick(VOCAB.docs)) : uid('Folder', rng.pick(VOCAB.folders));
        templateLinks.push({ templateId: `t${t}`, newId: `t${t}l${l}`, values });
      }
    }
    policies.templates = templates;
    policies.templateLinks = templateLinks;
  }
  const schema = rng.chance(0.35);
  return { policies, entities: worldEntities({ schema, rng }), ...(schema ? { schema: FUZZ_SCHEMA } : {}) };
}

/** A random request for `world` (its schema decides which data forms are used). */
export function generateRequest(rng: Rng, world?: World): FuzzRequest {
  const style: Style = { schema: world?.schema !== undefined, rng };
  const context: Record<string, CedarValueJson> = {
    authenticated: rng.chance(0.7),
    risk: num(rng),
    nested: { a: num(rng), b: rng.pick(STRINGS) },
  };
  if (rng.chance(0.6)) context.ip = extValue(style, 'ip', rng.pick(GOOD_IPS));
  if (rng.chance(0.6)) context.dec = extValue(style, 'decimal', rng.pick(GOOD_DECIMALS));
  if (rng.chance(0.6)) context.time = extValue(style, 'datetime', rng.pick(GOOD_DATETIMES));
  if (rng.chance(0.5)) context.mfa = rng.chance(0.5);
  // an attribute the schema does not declare, or an odd value without one
  if (rng.chance(0.03)) context[style.schema ? 'undeclared' : 'odd'] = style.schema ? 1 : oddValue(rng);
  const principal = style.schema && rng.chance(0.04) ? uid('Group', rng.pick(VOCAB.groups)) : uid('User', rng.pick(VOCAB.users));
  const requestEntities: EntityJson[] = [];
  // The caller brings its own entity (replacing the stored one), sometimes a group too (which changes
  // the ancestor closure of other entities).
  if (rng.chance(0.3)) requestEntities.push(user(style, principal.id));
  if (rng.chance(0.05)) {
    const g = rng.pick(VOCAB.groups.slice(0, -1));
    // mostly later groups (a DAG); any group at all, cycles included, now and then
    const candidates = rng.chance(0.8) ? VOCAB.groups.slice(VOCAB.groups.indexOf(g) + 1) : VOCAB.groups;
    requestEntities.push({ uid: uid('Group', g), attrs: {}, parents: rng.subset(candidates, 0.3).map((x) => uid('Group', x)) });
  }
  const request: FuzzRequest['request'] = {
    principal,
    // now and then an action the schema does not declare: Cedar refuses the request
    action: uid('Action', style.schema && rng.chance(0.02) ? 'undeclared' : rng.pick(VOCAB.actions)),
    resource: rng.chance(0.85) ? uid('Doc', rng.pick(VOCAB.docs)) : uid('Folder', rng.pick(VOCAB.folders)),
    context,
  };
  if (style.schema && rng.chance(0.3)) request.validateRequest = false;
  return { request, requestEntities };
}
