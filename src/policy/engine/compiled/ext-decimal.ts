/**
 * Cedar's `decimal` extension type: a signed fixed-point number with four fractional digits, held as an
 * i64 count of 1/10000 (so `decimal("1.0") == decimal("1.00")`). Written `-?[0-9]+\.[0-9]{1,4}`.
 */
import { CedarError, ExtValue, I64_MAX, I64_MIN } from './values.js';

export class Decimal extends ExtValue {
  readonly kind = 'decimal' as const;
  constructor(readonly scaled: bigint) {
    super();
  }
  key(): string {
    return String(this.scaled);
  }
}

const DECIMAL = /^(-?)([0-9]+)\.([0-9]+)$/;

export function parseDecimal(s: string): Decimal {
  const m = DECIMAL.exec(s);
  const fail = (why: string): never => {
    throw new CedarError(`error while evaluating \`decimal\` extension function: ${why}`);
  };
  if (m === null) return fail(`\`${s}\` is not a well-formed decimal value`);
  const [, sign, whole, frac] = m as unknown as [string, string, string, string];
  if (frac.length > 4) return fail(`too many digits after the decimal in \`${s}\``);
  const magnitude = BigInt(whole) * 10000n + BigInt(frac.padEnd(4, '0'));
  const scaled = sign === '-' ? -magnitude : magnitude;
  if (scaled > I64_MAX || scaled < I64_MIN) return fail('overflow when converting to decimal');
  return new Decimal(scaled);
}
