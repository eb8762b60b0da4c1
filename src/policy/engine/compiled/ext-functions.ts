/**
 * The extension functions of cedar-wasm 4.13.0, by name: constructors (`ip`, `decimal`, `datetime`,
 * `duration`) and methods. Each entry checks its argument types and raises Cedar's type error otherwise.
 */
import { IpAddr, parseIp } from './ext-ip.js';
import { Decimal, parseDecimal } from './ext-decimal.js';
import {
  Datetime,
  Duration,
  durationIn,
  durationSince,
  offset,
  parseDatetime,
  parseDuration,
  toDate,
  toTime,
} from './ext-datetime.js';
import { CedarError, asString, typeError, type Value } from './values.js';

export interface ExtFunction {
  arity: number;
  call(args: Value[]): Value;
}

function ip(v: Value): IpAddr {
  if (!(v instanceof IpAddr)) throw typeError('ipaddr', v);
  return v;
}
function dec(v: Value): Decimal {
  if (!(v instanceof Decimal)) throw typeError('decimal', v);
  return v;
}
function dt(v: Value): Datetime {
  if (!(v instanceof Datetime)) throw typeError('datetime', v);
  return v;
}
function dur(v: Value): Duration {
  if (!(v instanceof Duration)) throw typeError('duration', v);
  return v;
}

const a0 = (args: Value[]): Value => args[0] as Value;
const a1 = (args: Value[]): Value => args[1] as Value;

export const EXT_FUNCTIONS: ReadonlyMap<string, ExtFunction> = new Map<string, ExtFunction>([
  ['ip', { arity: 1, call: (a) => parseIp(asString(a0(a))) }],
  ['isIpv4', { arity: 1, call: (a) => !ip(a0(a)).v6 }],
  ['isIpv6', { arity: 1, call: (a) => ip(a0(a)).v6 }],
  ['isLoopback', { arity: 1, call: (a) => ip(a0(a)).isLoopback() }],
  ['isMulticast', { arity: 1, call: (a) => ip(a0(a)).isMulticast() }],
  ['isInRange', { arity: 2, call: (a) => ip(a0(a)).isInRange(ip(a1(a))) }],
  ['decimal', { arity: 1, call: (a) => parseDecimal(asString(a0(a))) }],
  ['lessThan', { arity: 2, call: (a) => dec(a0(a)).scaled < dec(a1(a)).scaled }],
  ['lessThanOrEqual', { arity: 2, call: (a) => dec(a0(a)).scaled <= dec(a1(a)).scaled }],
  ['greaterThan', { arity: 2, call: (a) => dec(a0(a)).scaled > dec(a1(a)).scaled }],
  ['greaterThanOrEqual', { arity: 2, call: (a) => dec(a0(a)).scaled >= dec(a1(a)).scaled }],
  ['datetime', { arity: 1, call: (a) => parseDatetime(asString(a0(a))) }],
  ['duration', { arity: 1, call: (a) => parseDuration(asString(a0(a))) }],
  ['offset', { arity: 2, call: (a) => offset(dt(a0(a)), dur(a1(a))) }],
  ['durationSince', { arity: 2, call: (a) => durationSince(dt(a0(a)), dt(a1(a))) }],
  ['toDate', { arity: 1, call: (a) => toDate(dt(a0(a))) }],
  ['toTime', { arity: 1, call: (a) => toTime(dt(a0(a))) }],
  ['toMilliseconds', { arity: 1, call: (a) => durationIn(dur(a0(a)), 'ms') }],
  ['toSeconds', { arity: 1, call: (a) => durationIn(dur(a0(a)), 's') }],
  ['toMinutes', { arity: 1, call: (a) => durationIn(dur(a0(a)), 'm') }],
  ['toHours', { arity: 1, call: (a) => durationIn(dur(a0(a)), 'h') }],
  ['toDays', { arity: 1, call: (a) => durationIn(dur(a0(a)), 'd') }],
]);

/**
 * Cedar's `<`-family operands: two Longs, two datetimes or two durations. Returns the pair of i64s to
 * compare, or raises the type error cedar-wasm raises.
 */
export function comparable(left: Value, right: Value): [bigint, bigint] {
  if (typeof left === 'bigint') {
    if (typeof right === 'bigint') return [left, right];
    throw typeError('long', right);
  }
  if (left instanceof Datetime) return [left.ms, dt(right).ms];
  if (left instanceof Duration) return [left.ms, dur(right).ms];
  throw new CedarError(`type error: expected one of [long, datetime, duration], got ${left instanceof Decimal ? 'decimal' : typeof left}`);
}
