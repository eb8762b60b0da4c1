/** Where a log line says an attempt came from: an IP address, or a host name when the log resolved it. */
import { isIP } from 'node:net';

export interface SourceRef {
  /** The address, or '' when the log gave a host name. */
  ip: string;
  host?: string | undefined;
}

const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})$/;

/** `undefined` for an empty or implausible value (the line is then attributed to no source). */
export function sourceOf(value: string | undefined): SourceRef | undefined {
  if (!value) return undefined;
  const v = value.startsWith('::ffff:') && isIP(value.slice(7)) === 4 ? value.slice(7) : value;
  if (isIP(v) !== 0) return { ip: v };
  return HOST.test(v) ? { ip: '', host: v.toLowerCase() } : undefined;
}

/** A user name as logs print it: trimmed, bounded, never empty. */
export function userName(raw: string): string {
  const u = raw.trim().slice(0, 100);
  return u === '' ? '(empty)' : u;
}
