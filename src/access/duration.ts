/**
 * Durations as people type them for an elevation window: `90m`, `1h`, `1h30m`, `3600s`, `3600`.
 *
 * @example
 * parseDuration('1h30m'); // 5400
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d{1,7}$/.test(trimmed)) return Number(trimmed);
  const match = /^(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,5})m)?(?:(\d{1,7})s)?$/.exec(trimmed);
  if (!match || trimmed === '') return undefined;
  const [, d, h, m, s] = match.map((v) => Number(v ?? 0));
  return d! * 86_400 + h! * 3600 + m! * 60 + s!;
}
