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
 */
import type { AuthzRequest, CedarValueJson, EntityJson, PolicySet } from '../../engine/index.js';
import { DATETIMES, DURATIONS, ExprGen, IPS, LONGS, STRINGS, type Vocab } from './gen-expr.js';
import type { Rng } from './random.js';

export interface World {
  policies: PolicySet;
  entities: EntityJson[];
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
const num = (rng: Rng): number => Number(rng.pick(LONGS));

// Only well-formed extension values in entity data: a malformed one makes the whole request fail.
const GOOD_IPS = IPS.slice(0, 14);
const GOOD_DECIMALS = ['0.0', '1.0', '1.5', '-1.5', '0.25', '922337203685477.5807'];
const GOOD_DATETIMES = DATETIMES.slice(0, 7);
const GOOD_DURATIONS = DURATIONS.slice(0, 11);

function user(rng: Rng, id: string): EntityJson {
  const attrs: Record<string, CedarValueJson> = {
    name: rng.pick(STRINGS),
    age: num(rng),
    level: rng.int(5),
    active: rng.chance(0.5),
    tags: rng.subset(STRINGS, 0.3),
    profile: rng.chance(0.5) ? { dept: rng.pick(['eng', 'ops']), clearance: rng.int(4) } : { dept: rng.pick(['eng', 'ops']) },
  };
  if (rng.chance(0.5)) attrs.manager = { __entity: uid('User', rng.pick(VOCAB.users)) };
  // (extension values are costly for cedar-wasm to read: kept sparse so that the fuzzer runs faster)
  if (rng.chance(0.3)) attrs.ip = ext('ip', rng.pick(GOOD_IPS));
  if (rng.chance(0.3)) attrs.score = ext('decimal', rng.pick(GOOD_DECIMALS));
  return { uid: uid('User', id), attrs, parents: rng.subset(VOCAB.groups, 0.35).map((g) => uid('Group', g)) };
}

function doc(rng: Rng, id: string): EntityJson {
  const tags: Record<string, CedarValueJson> = {};
  if (rng.chance(0.6)) tags.rank = num(rng);
  if (rng.chance(0.5)) tags.team = rng.pick(STRINGS);
  const attrs: Record<string, CedarValueJson> = {
    owner: { __entity: uid('User', rng.pick(VOCAB.users)) },
    classification: rng.int(4),
    labels: rng.subset(STRINGS, 0.3),
    readers: rng.subset(VOCAB.users, 0.3).map((u) => ({ __entity: uid('User', u) })),
    public: rng.chance(0.5),
  };
  if (rng.chance(0.4)) attrs.created = ext('datetime', rng.pick(GOOD_DATETIMES));
  if (rng.chance(0.4)) attrs.ttl = ext('duration', rng.pick(GOOD_DURATIONS));
  return {
    uid: uid('Doc', id),
    attrs,
    parents: rng.subset(VOCAB.folders, 0.4).map((f) => uid('Folder', f)),
    tags,
  };
}

function worldEntities(rng: Rng): EntityJson[] {
  const out: EntityJson[] = [];
  for (const id of VOCAB.users.slice(0, -1)) out.push(user(rng, id));
  VOCAB.groups.slice(0, -1).forEach((id, i) => {
    // a DAG: a group's parents come later in the list (plus, rarely, one that does not exist)
    const later = VOCAB.groups.slice(i + 1);
    out.push({ uid: uid('Group', id), attrs: {}, parents: rng.subset(later, 0.4).map((g) => uid('Group', g)) });
  });
  for (const id of VOCAB.docs.slice(0, -1)) out.push(doc(rng, id));
  VOCAB.folders.forEach((id, i) => {
    out.push({ uid: uid('Folder', id), attrs: {}, parents: rng.subset(VOCAB.folders.slice(i + 1), 0.5).map((f) => uid('Folder', f)) });
  });
  const actionParents: Record<string, string[]> = { read: ['readWrite'], write: ['readWrite'], readWrite: ['all'], delete: ['all'], share: ['all'], all: [] };
  for (const [id, parents] of Object.entries(actionParents)) {
    out.push({ uid: uid('Action', id), attrs: {}, parents: parents.map((p) => uid('Action', p)) });
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
  return { policies, entities: worldEntities(rng) };
}

export function generateRequest(rng: Rng): FuzzRequest {
  const context: Record<string, CedarValueJson> = {
    authenticated: rng.chance(0.7),
    risk: num(rng),
    nested: { a: num(rng), b: rng.pick(STRINGS) },
  };
  if (rng.chance(0.6)) context.ip = ext('ip', rng.pick(GOOD_IPS));
  if (rng.chance(0.6)) context.dec = ext('decimal', rng.pick(GOOD_DECIMALS));
  if (rng.chance(0.6)) context.time = ext('datetime', rng.pick(GOOD_DATETIMES));
  if (rng.chance(0.5)) context.mfa = rng.chance(0.5);
  const principal = uid('User', rng.pick(VOCAB.users));
  const requestEntities: EntityJson[] = [];
  // The caller brings its own entity (replacing the stored one), sometimes a group too (which changes
  // the ancestor closure of other entities).
  if (rng.chance(0.3)) requestEntities.push(user(rng, principal.id));
  if (rng.chance(0.05)) {
    const g = rng.pick(VOCAB.groups.slice(0, -1));
    // mostly later groups (a DAG); any group at all, cycles included, now and then
    const candidates = rng.chance(0.8) ? VOCAB.groups.slice(VOCAB.groups.indexOf(g) + 1) : VOCAB.groups;
    requestEntities.push({ uid: uid('Group', g), attrs: {}, parents: rng.subset(candidates, 0.3).map((x) => uid('Group', x)) });
  }
  return {
    request: {
      principal,
      action: uid('Action', rng.pick(VOCAB.actions)),
      resource: rng.chance(0.85) ? uid('Doc', rng.pick(VOCAB.docs)) : uid('Folder', rng.pick(VOCAB.folders)),
      context,
    },
    requestEntities,
  };
}
