/**
 * Cedar's `ipaddr` extension type, matching cedar-wasm 4.13.0: an address with a prefix length (a bare
 * address has the full length), equality on (address, prefix), IPv4-embedded IPv6 forms rejected,
 * prefixes without leading zeros, and range predicates that hold only when the whole range qualifies.
 */
import { CedarError, ExtValue } from './values.js';

export class IpAddr extends ExtValue {
  readonly kind = 'ipaddr' as const;
  constructor(
    readonly v6: boolean,
    /** The address as an unsigned integer (32 or 128 bits). */
    readonly addr: bigint,
    readonly prefix: number,
  ) {
    super();
  }
  key(): string {
    return `${this.v6 ? 6 : 4}/${this.addr}/${this.prefix}`;
  }
  private bits(): number {
    return this.v6 ? 128 : 32;
  }
  /** The first address of the range. */
  network(prefix = this.prefix): bigint {
    const host = BigInt(this.bits() - prefix);
    return (this.addr >> host) << host;
  }
  isLoopback(): boolean {
    if (this.v6) return this.addr === 1n && this.prefix >= 128;
    return this.addr >> 24n === 127n && this.prefix >= 8;
  }
  isMulticast(): boolean {
    if (this.v6) return this.addr >> 120n === 0xffn && this.prefix >= 8;
    return this.addr >> 28n === 0xen && this.prefix >= 4;
  }
  isInRange(range: IpAddr): boolean {
    if (this.v6 !== range.v6) return false;
    if (range.prefix > this.prefix) return false;
    return this.network(range.prefix) === range.network();
  }
}

function fail(s: string, why: string): never {
  throw new CedarError(`error while evaluating \`ipaddr\` extension function: ${why}: ${s}`);
}

const V4 = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;

function parseV4(s: string, whole: string): bigint {
  // four decimal octets, no leading zeros, each at most 255 (as Rust's std parser)
  const m = V4.exec(s);
  if (m === null) return fail(whole, 'invalid IP address');
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) fail(whole, 'invalid IP address');
    value = value * 256 + n;
  }
  return BigInt(value);
}

function parseGroups(s: string, whole: string): bigint[] {
  if (s === '') return [];
  const groups: bigint[] = [];
  for (const g of s.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) fail(whole, 'invalid IP address');
    groups.push(BigInt(parseInt(g, 16)));
  }
  return groups;
}

function parseV6(s: string, whole: string): bigint {
  const halves = s.split('::');
  let groups: bigint[];
  if (halves.length > 2) fail(whole, 'invalid IP address');
  if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? '', whole);
    const tail = parseGroups(halves[1] ?? '', whole);
    const missing = 8 - head.length - tail.length;
    // `::` stands for at least one group of zeros
    if (missing < 1) fail(whole, 'invalid IP address');
    groups = [...head, ...new Array<bigint>(missing).fill(0n), ...tail];
  } else {
    groups = parseGroups(s, whole);
    if (groups.length !== 8) fail(whole, 'invalid IP address');
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | g;
  return value;
}

function parsePrefix(s: string, limit: number, whole: string): number {
  if (s.length > 3) fail(whole, 'error parsing prefix');
  if (!/^[0-9]+$/.test(s)) fail(whole, 'error parsing prefix');
  if (s.length > 1 && s[0] === '0') fail(whole, 'error parsing prefix');
  const n = Number(s);
  if (n > limit) fail(whole, 'error parsing prefix');
  return n;
}

export function parseIp(s: string): IpAddr {
  const v6 = s.includes(':');
  if (v6 && s.includes('.')) fail(s, 'IPv4 embedded in IPv6 is not accepted');
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const limit = v6 ? 128 : 32;
  const prefix = slash < 0 ? limit : parsePrefix(s.slice(slash + 1), limit, s);
  const addr = v6 ? parseV6(addrText, s) : parseV4(addrText, s);
  return new IpAddr(v6, addr, prefix);
}
