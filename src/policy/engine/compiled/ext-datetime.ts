/**
 * Cedar's `datetime` and `duration` extension types (RFC 80, as in cedar-wasm 4.13.0): both are i64
 * milliseconds, a datetime since the Unix epoch (UTC). Comparison operators apply to either type.
 */
import { CedarError, ExtValue, I64_MAX, I64_MIN } from './values.js';

export class Datetime extends ExtValue {
  readonly kind = 'datetime' as const;
  constructor(readonly ms: bigint) {
    super();
  }
  key(): string {
    return String(this.ms);
  }
}

export class Duration extends ExtValue {
  readonly kind = 'duration' as const;
  constructor(readonly ms: bigint) {
    super();
  }
  key(): string {
    return String(this.ms);
  }
}

const DAY = 86_400_000n;

function failDt(why: string): never {
  throw new CedarError(`error while evaluating \`datetime\` extension function: ${why}`);
}

function failDur(why: string): never {
  throw new CedarError(`error while evaluating \`duration\` extension function: ${why}`);
}

function checked(v: bigint, fail: (why: string) => never): bigint {
  if (v > I64_MAX || v < I64_MIN) fail('overflow');
  return v;
}

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})/;
const TIME = /^T([0-9]{2}):([0-9]{2}):([0-9]{2})/;
const SUFFIX = /^(?:\.([0-9]{3}))?(?:(Z)|([+-])([0-9]{2})([0-9]{2}))$/;

function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

export function parseDatetime(s: string): Datetime {
  const date = DATE.exec(s);
  if (date === null) return failDt('invalid date pattern');
  const [y, mo, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return failDt(`invalid date: ${date[0]}`);
  let ms = BigInt(daysFromCivil(y, mo, d)) * DAY;
  const rest = s.slice(date[0].length);
  if (rest === '') return new Datetime(ms);
  const time = TIME.exec(rest);
  if (time === null) return failDt('invalid date pattern');
  const [h, mi, se] = [Number(time[1]), Number(time[2]), Number(time[3])];
  if (h > 23 || mi > 59 || se > 59) return failDt('invalid hour/minute/second');
  ms += BigInt(((h * 60 + mi) * 60 + se) * 1000);
  const suffix = SUFFIX.exec(rest.slice(time[0].length));
  if (suffix === null) return failDt('invalid millisecond and/or offset pattern');
  if (suffix[1] !== undefined) ms += BigInt(Number(suffix[1]));
  if (suffix[2] === undefined) {
    const oh = Number(suffix[4]);
    const om = Number(suffix[5]);
    if (oh > 23 || om > 59) return failDt('invalid offset range');
    const offset = BigInt((oh * 60 + om) * 60_000);
    ms = suffix[3] === '+' ? ms - offset : ms + offset;
  }
  return new Datetime(ms);
}

const UNITS: [string, bigint][] = [
  ['d', DAY],
  ['h', 3_600_000n],
  ['m', 60_000n],
  ['s', 1000n],
  ['ms', 1n],
];
const DURATION = /^(-?)(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m(?!s))?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;

export function parseDuration(s: string): Duration {
  const m = DURATION.exec(s);
  if (m === null || m.slice(2).every((g) => g === undefined)) return failDur('invalid duration pattern');
  const sign = m[1] === '-' ? -1n : 1n;
  let total = 0n;
  for (let i = 0; i < UNITS.length; i++) {
    const digits = m[i + 2];
    if (digits === undefined) continue;
    const part = checked(sign * BigInt(digits) * (UNITS[i] as [string, bigint])[1], failDur);
    total = checked(total + part, failDur);
  }
  return new Duration(total);
}

export function offset(dt: Datetime, d: Duration): Datetime {
  return new Datetime(checked(dt.ms + d.ms, failDt));
}

export function durationSince(a: Datetime, b: Datetime): Duration {
  return new Duration(checked(a.ms - b.ms, failDt));
}

function remEuclid(a: bigint, b: bigint): bigint {
  const r = a % b;
  return r < 0n ? r + b : r;
}

export function toDate(dt: Datetime): Datetime {
  return new Datetime(checked(dt.ms - remEuclid(dt.ms, DAY), failDt));
}

export function toTime(dt: Datetime): Duration {
  return new Duration(remEuclid(dt.ms, DAY));
}

/** Truncating division, as Rust's `/` on i64. */
export function durationIn(d: Duration, unit: 'ms' | 's' | 'm' | 'h' | 'd'): bigint {
  const per = UNITS.find(([name]) => name === unit)?.[1] ?? 1n;
  return d.ms / per;
}
