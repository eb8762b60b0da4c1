/**
 * Encryption of sensitive fields at rest: each marked field's value is replaced by an envelope
 * `{"$enc":"A256GCM","kid":..,"iv":..,"ct":..}` (AES-256-GCM under a data key, additional data
 * `<event id>\n<field path>`). Data keys are wrapped by a key-encryption key (KEK). The Merkle tree
 * commits to the envelope, so verification never needs a key, and destroying a data key erases the
 * plaintext (crypto-shredding) without touching the tree.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { WardenError } from '../core/index.js';

export interface Envelope {
  $enc: 'A256GCM';
  kid: string;
  iv: string;
  ct: string;
}

export interface Kek {
  id: string;
  key: Buffer;
}

export interface Keyring {
  current: Kek;
  byId: Map<string, Buffer>;
}

export function kekId(key: Buffer): string {
  return createHash('sha256').update('warden-audit-kek\n').update(key).digest('hex').slice(0, 16);
}

function parseKeys(text: string, origin: string): Kek[] {
  const keys = text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => Buffer.from(l, 'base64'));
  if (keys.length === 0 || keys.some((k) => k.length !== 32)) {
    throw new WardenError('config_invalid', `${origin} must hold base64 32-byte keys, one per line`);
  }
  return keys.map((key) => ({ id: kekId(key), key }));
}

/** Loads the KEKs from the environment variable, else the key file (created with one key, mode 0600, if missing). */
export function loadKeyring(kekPath: string, envValue: string | undefined): Keyring {
  let keks: Kek[];
  if (envValue && envValue.trim()) {
    keks = parseKeys(envValue, 'the KEK environment variable');
  } else {
    if (!existsSync(kekPath)) writeFileSync(kekPath, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    if (statSync(kekPath).mode & 0o077) chmodSync(kekPath, 0o600);
    keks = parseKeys(readFileSync(kekPath, 'utf8'), 'the KEK file');
  }
  return { current: keks[0]!, byId: new Map(keks.map((k) => [k.id, k.key])) };
}

const WRAP_AAD = 'warden-audit-data-key\n';

/** AES-256-GCM key wrap: iv(12) || ciphertext(32) || tag(16), bound to the data key id. */
export function wrapDataKey(kek: Kek, kid: string, dataKey: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', kek.key, iv);
  c.setAAD(Buffer.from(WRAP_AAD + kid));
  return Buffer.concat([iv, c.update(dataKey), c.final(), c.getAuthTag()]);
}

export function unwrapDataKey(kek: Buffer, kid: string, wrapped: Buffer): Buffer {
  if (wrapped.length !== 60) throw new WardenError('internal', 'a wrapped data key has the wrong length');
  const d = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, 12));
  d.setAAD(Buffer.from(WRAP_AAD + kid));
  d.setAuthTag(wrapped.subarray(44));
  return Buffer.concat([d.update(wrapped.subarray(12, 44)), d.final()]);
}

/** Which fields are sensitive: bare names match at any depth, dotted paths from the root (`*` = any key). */
export class FieldMatcher {
  private readonly names: Set<string>;
  private readonly paths: string[][];

  constructor(fields: readonly string[]) {
    this.names = new Set(fields.filter((f) => !f.includes('.')));
    this.paths = fields.filter((f) => f.includes('.')).map((f) => f.split('.'));
  }

  get empty(): boolean {
    return this.names.size === 0 && this.paths.length === 0;
  }

  matches(path: readonly string[]): boolean {
    if (this.names.has(path[path.length - 1]!)) return true;
    return this.paths.some((p) => p.length === path.length && p.every((seg, i) => seg === '*' || seg === path[i]));
  }
}

export interface DataKey {
  kid: string;
  key: Buffer;
}

function isEnvelope(v: unknown): v is Envelope {
  return typeof v === 'object' && v !== null && (v as Envelope).$enc === 'A256GCM' && typeof (v as Envelope).kid === 'string';
}

function aad(eventId: string, path: readonly string[]): Buffer {
  return Buffer.from(`${eventId}\n${path.join('.')}`);
}

function seal(value: unknown, dk: DataKey, eventId: string, path: readonly string[]): Envelope {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', dk.key, iv);
  c.setAAD(aad(eventId, path));
  const ct = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final(), c.getAuthTag()]);
  return { $enc: 'A256GCM', kid: dk.kid, iv: iv.toString('base64url'), ct: ct.toString('base64url') };
}

function open(env: Envelope, key: Buffer, eventId: string, path: readonly string[]): unknown {
  const ct = Buffer.from(env.ct, 'base64url');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(env.iv, 'base64url'));
  d.setAAD(aad(eventId, path));
  d.setAuthTag(ct.subarray(ct.length - 16));
  return JSON.parse(Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]).toString('utf8'));
}

/**
 * Returns a copy of `event` with sensitive fields sealed, or the event itself when none is present.
 * `getKey` is called only when a field needs encrypting.
 */
export function encryptFields<T extends object>(event: T, matcher: FieldMatcher, getKey: () => DataKey): T {
  if (matcher.empty) return event;
  const eventId = String((event as { id?: unknown }).id ?? '');
  let key: DataKey | undefined;
  const path: string[] = [];
  const walk = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        path.push(String(i));
        const next = walk(item);
        path.pop();
        if (next !== item) (out ??= [...(value as unknown[])])[i] = next;
      }
      return out ?? value;
    }
    let out: Record<string, unknown> | undefined;
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined || !Object.hasOwn(value, k)) continue;
      path.push(k);
      const next = matcher.matches(path) ? seal(v, (key ??= getKey()), eventId, path) : walk(v);
      path.pop();
      if (next !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = next;
    }
    return out ?? value;
  };
  return walk(event) as T;
}

/** Opens every envelope whose data key `getKey` returns; others (shredded, unknown) stay envelopes. */
export function decryptFields<T extends object>(event: T, getKey: (kid: string) => Buffer | undefined): T {
  const eventId = String((event as { id?: unknown }).id ?? '');
  const walk = (value: unknown, path: string[]): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (isEnvelope(value)) {
      const key = getKey(value.kid);
      if (!key) return value;
      try {
        return open(value, key, eventId, path);
      } catch {
        return value;
      }
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, String(i)]));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
    return out;
  };
  return walk(event, []) as T;
}

/** True when the value contains at least one envelope (cheap check on raw entry text). */
export function mayHaveEnvelope(entryText: string): boolean {
  return entryText.includes('"$enc":"A256GCM"');
}
