/** Small readers for untrusted JSON records: each returns undefined instead of throwing. */
export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function path(v: unknown, ...keys: string[]): unknown {
  let cur: unknown = v;
  for (const k of keys) {
    const o = obj(cur);
    if (!o) return undefined;
    cur = o[k];
  }
  return cur;
}

/** A record field that must be present: throws a message naming it (the importer reports it by line). */
export function required(v: unknown, name: string): string {
  const s = str(v);
  if (s === undefined) throw new Error(`missing \`${name}\``);
  return s;
}

export function isoTime(v: unknown, name: string): string {
  const s = required(v, name);
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new Error(`\`${name}\` is not a time: \`${s.slice(0, 40)}\``);
  return new Date(t).toISOString();
}

/** An IP address or '' (CloudTrail writes service names such as `AWS Internal` there). */
export function ipOrEmpty(v: unknown): string {
  const s = str(v);
  if (!s) return '';
  return /^[0-9.]+$/.test(s) || /^[0-9a-fA-F:]+$/.test(s) ? s : '';
}
