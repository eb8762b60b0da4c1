/**
 * Random Cedar expressions, written as policy text, over the fuzzing schema (see gen-world.ts). Mostly
 * well-typed, with a share of errors Cedar must report: type errors, Long overflow, missing optional
 * attributes, missing entities, malformed extension literals.
 */
import type { Rng } from './random.js';

export type Ty = 'bool' | 'long' | 'string' | 'user' | 'entity' | 'set' | 'record' | 'ip' | 'decimal' | 'datetime' | 'duration';

export const LONGS = ['0', '1', '-1', '2', '3', '10', '1024', '1025', '4294967296', '9007199254740991', '-9007199254740991'];
export const STRINGS = ['', 'a', 'ab', 'abc', 'a*b', 'b', 'eng', 'ops', 'x y', 'ñ', '日本', 'A'];
export const IPS = ['10.0.0.1', '10.0.0.0/8', '10.1.2.3/16', '127.0.0.1', '127.0.0.1/8', '127.0.0.1/7', '::1', '::1/128', '::/0', '0.0.0.0/0', 'fe80::1/10', 'ff02::1', '224.0.0.1/4', '192.168.1.1/24', '1.2.3.4/33', '01.2.3.4', '::ffff:1.2.3.4', '1.2.3.4/08', 'zz'];
export const DECIMALS = ['0.0', '1.0', '1.5', '-1.5', '1.0000', '1.00001', '922337203685477.5807', '922337203685477.5808', '-922337203685477.5808', '2', '.5', '0.25'];
export const DATETIMES = ['2024-01-01', '2024-01-01T10:00:00Z', '2024-02-29T23:59:59.999Z', '2024-01-01T10:00:00+0130', '1969-12-31T23:59:59Z', '0001-01-01', '9999-12-31T23:59:59Z', '2023-02-29', '2024-13-01', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00.5Z'];
export const DURATIONS = ['0ms', '1ms', '1s', '90m', '1h', '1d', '-1d2h', '2h30m', '106751991167d', '9223372036854775807ms', '-9223372036854775808ms', '1h1d', '', '1.5h'];
export const PATTERN_PIECES = ['*', 'a', 'b', '\\*', 'ab', 'ñ', ' '];

const q = (s: string): string => JSON.stringify(s);

export interface Vocab {
  users: string[];
  groups: string[];
  docs: string[];
  folders: string[];
  actions: string[];
}

export class ExprGen {
  constructor(
    private readonly rng: Rng,
    private readonly vocab: Vocab,
  ) {}

  private uid(type: string, ids: string[]): string {
    return `${type}::${q(this.rng.pick(ids))}`;
  }

  entityLiteral(): string {
    const r = this.rng.int(5);
    if (r === 0) return this.uid('User', this.vocab.users);
    if (r === 1) return this.uid('Group', this.vocab.groups);
    if (r === 2) return this.uid('Doc', this.vocab.docs);
    if (r === 3) return this.uid('Folder', this.vocab.folders);
    return this.uid('Action', this.vocab.actions);
  }

  /** An expression of type `ty`, or (rarely, for errors) of another type. */
  gen(ty: Ty, depth: number): string {
    // rarely, a value of another type, for type errors (parenthesised: it may be a method's receiver)
    if (this.rng.chance(0.03)) return `(${this.gen(this.rng.pick<Ty>(['bool', 'long', 'string', 'set', 'record', 'decimal']), depth - 1)})`;
    const leaf = depth <= 0 || this.rng.chance(0.3);
    switch (ty) {
      case 'bool':
        return leaf ? this.boolLeaf() : this.bool(depth - 1);
      case 'long':
        return leaf ? this.longLeaf() : this.long(depth - 1);
      case 'string':
        return this.str(leaf, depth - 1);
      case 'user':
        return this.rng.pick(['principal', 'resource.owner', 'principal.manager', this.uid('User', this.vocab.users)]);
      case 'entity':
        return this.rng.pick(['principal', 'resource', 'action', 'resource.owner', this.entityLiteral()]);
      case 'set':
        return this.set(leaf, depth - 1);
      case 'record':
        return this.rng.pick(['context.nested', 'principal.profile', `{a: ${this.gen('long', depth - 1)}, b: ${this.gen('string', depth - 1)}}`, '{}']);
      case 'ip':
        return this.rng.pick([`ip(${q(this.rng.pick(IPS))})`, 'context.ip', 'principal.ip']);
      case 'decimal':
        return this.rng.pick([`decimal(${q(this.rng.pick(DECIMALS))})`, 'context.dec', 'principal.score']);
      case 'datetime':
        if (!leaf && this.rng.chance(0.4)) {
          return this.rng.chance(0.5) ? `${this.gen('datetime', depth - 1)}.offset(${this.gen('duration', depth - 1)})` : `${this.gen('datetime', depth - 1)}.toDate()`;
        }
        return this.rng.pick([`datetime(${q(this.rng.pick(DATETIMES))})`, 'context.time', 'resource.created']);
      case 'duration':
        if (!leaf && this.rng.chance(0.4)) {
          return this.rng.chance(0.5) ? `${this.gen('datetime', depth - 1)}.durationSince(${this.gen('datetime', depth - 1)})` : `${this.gen('datetime', depth - 1)}.toTime()`;
        }
        return this.rng.pick([`duration(${q(this.rng.pick(DURATIONS))})`, 'resource.ttl']);
    }
  }

  private boolLeaf(): string {
    return this.rng.pick(['true', 'false', 'context.authenticated', 'context.mfa', 'resource.public', 'principal.active']);
  }

  private longLeaf(): string {
    return this.rng.pick([
      this.rng.pick(LONGS),
      'principal.age',
      'principal.level',
      'resource.classification',
      'context.risk',
      'context.nested.a',
      'principal.profile.clearance',
      'resource.getTag("rank")',
      'resource.owner.age',
      'principal.manager.level',
    ]);
  }

  private str(leaf: boolean, depth: number): string {
    if (!leaf && this.rng.chance(0.3)) return `(if ${this.gen('bool', depth)} then ${this.gen('string', depth)} else ${this.gen('string', depth)})`;
    return this.rng.pick([q(this.rng.pick(STRINGS)), 'principal.name', 'principal.profile.dept', 'context.nested.b', 'resource.getTag("team")', 'principal.manager.name']);
  }

  private set(leaf: boolean, depth: number): string {
    const r = this.rng.int(leaf ? 4 : 7);
    switch (r) {
      case 0:
        return 'principal.tags';
      case 1:
        return 'resource.labels';
      case 2:
        return 'resource.readers';
      case 3:
        return '[]';
      case 4:
        return `[${Array.from({ length: 1 + this.rng.int(3) }, () => this.gen('long', depth)).join(', ')}]`;
      case 5:
        return `[${Array.from({ length: 1 + this.rng.int(3) }, () => this.gen('string', depth)).join(', ')}]`;
      default:
        return `[${Array.from({ length: 1 + this.rng.int(3) }, () => this.gen('entity', depth)).join(', ')}]`;
    }
  }

  private long(depth: number): string {
    const a = (): string => this.gen('long', depth);
    switch (this.rng.int(8)) {
      case 7:
        // near the edge of i64: overflows when the operand is >= 1024 (or <= -1025 for `-`)
        return `(9007199254740991 * 1024 ${this.rng.pick(['+', '-'])} ${a()})`;
      case 0:
        return `(${a()} + ${a()})`;
      case 1:
        return `(${a()} - ${a()})`;
      case 2:
        return `(${a()} * ${this.rng.pick(LONGS)})`;
      case 3:
        return `(-${a()})`;
      case 4:
        return `(if ${this.gen('bool', depth)} then ${a()} else ${a()})`;
      case 5:
        return `${this.gen('duration', depth)}.${this.rng.pick(['toMilliseconds', 'toSeconds', 'toMinutes', 'toHours', 'toDays'])}()`;
      default:
        return this.longLeaf();
    }
  }

  private pattern(): string {
    return `"${Array.from({ length: this.rng.int(4) }, () => this.rng.pick(PATTERN_PIECES)).join('')}"`;
  }

  private bool(depth: number): string {
    const g = (ty: Ty): string => this.gen(ty, depth);
    switch (this.rng.int(24)) {
      case 0:
        return `(${g('bool')} && ${g('bool')})`;
      case 1:
        return `(${g('bool')} || ${g('bool')})`;
      case 2:
        return `(!${g('bool')})`;
      case 3:
      case 22:
      case 23:
        return `(${g('long')} ${this.rng.pick(['<', '<=', '>', '>='])} ${g('long')})`;
      case 4: {
        const ty = this.rng.pick<Ty>(['long', 'string', 'entity', 'set', 'record', 'ip', 'decimal', 'datetime', 'duration', 'bool']);
        const other = this.rng.chance(0.1) ? this.rng.pick<Ty>(['long', 'string', 'entity']) : ty;
        return `(${g(ty)} ${this.rng.pick(['==', '!='])} ${g(other)})`;
      }
      case 5:
        return `(${g('entity')} in ${this.rng.chance(0.7) ? this.entityLiteral() : g('set')})`;
      case 6:
        return `(principal in ${this.uid('Group', this.vocab.groups)})`;
      case 7:
        return `(resource in ${this.uid('Folder', this.vocab.folders)})`;
      case 8:
        return `(${g('entity')} is ${this.rng.pick(['User', 'Group', 'Doc', 'Folder'])}${this.rng.chance(0.3) ? ` in ${this.entityLiteral()}` : ''})`;
      case 9:
        return `(${this.rng.pick(['principal', 'resource', 'context', 'principal.profile', 'context.nested', 'principal.manager', this.entityLiteral()])} has ${this.rng.pick(['manager', 'mfa', 'age', 'profile.clearance', 'profile.dept', 'a', 'owner', 'ip', 'score', 'nested.a'])})`;
      case 10:
        return `(${g('string')} like ${this.pattern()})`;
      case 11:
        return `${g('set')}.contains(${g(this.rng.pick<Ty>(['long', 'string', 'entity']))})`;
      case 12:
        return `${g('set')}.${this.rng.pick(['containsAll', 'containsAny'])}(${g('set')})`;
      case 13:
        return `${g('set')}.isEmpty()`;
      case 14:
        return `${g('ip')}.${this.rng.pick(['isIpv4', 'isIpv6', 'isLoopback', 'isMulticast'])}()`;
      case 15:
        return `${g('ip')}.isInRange(${g('ip')})`;
      case 16:
        return `${g('decimal')}.${this.rng.pick(['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual'])}(${g('decimal')})`;
      case 17: {
        const ty = this.rng.pick<Ty>(['datetime', 'duration']);
        return `(${g(ty)} ${this.rng.pick(['<', '<=', '>', '>='])} ${g(ty)})`;
      }
      case 18:
        return `(if ${g('bool')} then ${g('bool')} else ${g('bool')})`;
      case 19:
        return `${this.rng.pick(['resource', 'principal', this.entityLiteral()])}.hasTag(${q(this.rng.pick(['rank', 'team', 'x']))})`;
      case 20:
        return `(${g('record')} == ${g('record')})`;
      default:
        return this.boolLeaf();
    }
  }
}
