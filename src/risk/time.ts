/**
 * Event times to epoch milliseconds, without `Date.parse` for the one form Warden writes
 * (`YYYY-MM-DDTHH:MM:SS.sssZ`, `Date#toISOString`): consecutive events share their hour, so the hour's
 * start is parsed once and the minutes, seconds and milliseconds are added to it. Every other form
 * (offsets, no fraction, garbage) goes to `Date.parse`, so the result is always `Date.parse`'s.
 *
 * @example
 * eventTime('2026-11-02T09:15:30.250Z'); // 1793610930250, as Date.parse
 */

/** `YYYY-MM-DDTHH` of the last hour parsed by `Date.parse`, and that hour's start. */
let hourPrefix = '\u0000';
let hourStart = 0;

/** Two or three ASCII digits at `i` as a number; -1 when any is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

export function eventTime(s: string): number {
  // Events come from the bus and from imports: a time that is not a string is Date.parse's to judge.
  if (typeof s !== 'string' || s.length !== 24 || s.charCodeAt(23) !== 90 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46) return Date.parse(s);
  const mm = digits(s, 14, 2);
  const ss = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  // Hour 24 is valid for Date.parse only at 24:00:00.000: that one hour start must not be reused.
  if (mm < 0 || mm > 59 || ss < 0 || ss > 59 || ms < 0 || s.charCodeAt(11) > 50) return Date.parse(s);
  const within = mm * 60_000 + ss * 1000 + ms;
  if (s.startsWith(hourPrefix)) return hourStart + within;
  const t = Date.parse(s);
  if (Number.isFinite(t) && digits(s, 11, 2) < 24) {
    hourPrefix = s.slice(0, 13);
    hourStart = t - within;
  }
  return t;
}
