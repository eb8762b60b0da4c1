/**
 * The CAEP and RISC events Warden acts on, and how a verified SET's payload becomes one `Signal`: exactly
 * one event per SET (SSF 1.0), its subject (RFC 9493 subject identifiers, at the top level as `sub_id`
 * or inside the event as `subject`), and its time (`event_timestamp`, else the SET's `iat`).
 *
 * @example
 * const signal = parseSignal({ iss, jti, iat, sub_id: { format: 'opaque', id: 'alice' },
 *   events: { [CAEP + 'session-revoked']: { event_timestamp: 1767225600 } } }, transmitter, directory);
 * signal.kind; // 'session-revoked'
 * signal.principal; // 'alice'
 */
import { z } from 'zod';
import type { Directory } from '../identity/index.js';
import type { TransmitterConfig } from './config.js';
import { SetError } from './set-error.js';

export const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
export const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';

const EVENT_FIELDS = {
  'session-revoked': z.object({}).loose(),
  'credential-change': z.object({ credential_type: z.string().min(1).max(100), change_type: z.enum(['create', 'revoke', 'update', 'delete']) }).loose(),
  'assurance-level-change': z.object({ namespace: z.string().min(1).max(100), current_level: z.string().min(1).max(100), previous_level: z.string().max(100).optional(), change_direction: z.enum(['increase', 'decrease']).optional() }).loose(),
  'device-compliance-change': z.object({ current_status: z.enum(['compliant', 'not-compliant']), previous_status: z.enum(['compliant', 'not-compliant']).optional() }).loose(),
  'account-disabled': z.object({ reason: z.string().max(100).optional() }).loose(),
  'account-enabled': z.object({}).loose(),
  'credential-compromise': z.object({ credential_type: z.string().min(1).max(100) }).loose(),
} as const;

export type SignalKind = keyof typeof EVENT_FIELDS;

const URIS = new Map<string, SignalKind>([
  [`${CAEP}session-revoked`, 'session-revoked'],
  [`${CAEP}credential-change`, 'credential-change'],
  [`${CAEP}assurance-level-change`, 'assurance-level-change'],
  [`${CAEP}device-compliance-change`, 'device-compliance-change'],
  [`${RISC}account-disabled`, 'account-disabled'],
  [`${RISC}account-enabled`, 'account-enabled'],
  [`${RISC}credential-compromise`, 'credential-compromise'],
]);

/** Kinds about a device rather than a principal. */
const DEVICE_KINDS: ReadonlySet<SignalKind> = new Set(['device-compliance-change']);

export interface Signal {
  kind: SignalKind;
  issuer: string;
  jti: string;
  /** The principal the event is about (absent for a device-only subject). */
  principal?: string;
  device?: string;
  /** Epoch ms of the event. */
  eventTime: number;
  /** The event's members (validated for the kind; others kept as sent, for the audit record). */
  fields: Record<string, unknown>;
}

const id = z.string().min(1).max(256);
const simpleSubject = z.discriminatedUnion('format', [
  z.object({ format: z.literal('iss_sub'), iss: z.string().min(1).max(500), sub: id }).loose(),
  z.object({ format: z.literal('opaque'), id }).loose(),
  z.object({ format: z.literal('email'), email: z.string().min(3).max(320) }).loose(),
]);
type SimpleSubject = z.infer<typeof simpleSubject>;
const complexSubject = z.object({ format: z.literal('complex'), user: simpleSubject.optional(), device: simpleSubject.optional(), session: z.unknown().optional() }).loose();
const subjectSchema = z.union([simpleSubject, complexSubject]);

const setPayload = z
  .object({
    iss: z.string(),
    jti: z.string().min(1).max(256),
    iat: z.number().int(),
    sub_id: subjectSchema.optional(),
    events: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .loose();

/** The one event of a verified SET, with its subject resolved; throws `SetError` (invalid_request). */
export function parseSignal(payload: unknown, transmitter: TransmitterConfig, directory: Directory): Signal | undefined {
  const parsed = setPayload.safeParse(payload);
  if (!parsed.success) throw new SetError('invalid_request', `the SET is not well formed: \`${parsed.error.issues[0]!.path.join('.') || 'payload'}\` ${parsed.error.issues[0]!.message}`);
  const set = parsed.data;
  const entries = Object.entries(set.events);
  if (entries.length !== 1) throw new SetError('invalid_request', 'a SET carries exactly one event');
  const [uri, event] = entries[0]!;
  const kind = URIS.get(uri);
  // SSF 1.0: a receiver ignores event types it does not process (the SET is still acknowledged).
  if (kind === undefined) return undefined;
  const fields = EVENT_FIELDS[kind].safeParse(event);
  if (!fields.success) throw new SetError('invalid_request', `the \`${kind}\` event is not well formed: \`${fields.error.issues[0]!.path.join('.')}\` ${fields.error.issues[0]!.message}`);
  const subjectParse = subjectSchema.safeParse(set.sub_id ?? event.subject);
  if (!subjectParse.success) throw new SetError('invalid_request', 'the SET has no usable subject (`sub_id`)');
  const subject = subjectParse.data;
  const deviceKind = DEVICE_KINDS.has(kind);
  const user = subject.format === 'complex' ? subject.user : deviceKind ? undefined : subject;
  const device = subject.format === 'complex' ? subject.device : deviceKind ? subject : undefined;
  const principal = user ? principalOf(user, transmitter, directory) : undefined;
  const deviceId = device ? deviceIdOf(device) : undefined;
  if (deviceKind ? deviceId === undefined : principal === undefined) throw new SetError('invalid_request', `the \`${kind}\` event's subject names no ${deviceKind ? 'device' : 'principal'} Warden can use`);
  const timestamp = typeof event.event_timestamp === 'number' && Number.isFinite(event.event_timestamp) ? event.event_timestamp : set.iat;
  return {
    kind,
    issuer: set.iss,
    jti: set.jti,
    ...(principal !== undefined ? { principal } : {}),
    ...(deviceId !== undefined ? { device: deviceId } : {}),
    // The event cannot be later than its SET: a future timestamp would revoke credentials not yet issued.
    eventTime: Math.min(timestamp, set.iat) * 1000,
    fields: fields.data,
  };
}

/** The Warden principal a subject names, within the formats the transmitter is trusted for. */
function principalOf(subject: SimpleSubject, transmitter: TransmitterConfig, directory: Directory): string | undefined {
  if (!transmitter.subjectFormats.includes(subject.format)) return undefined;
  if (subject.format === 'iss_sub') return subject.iss === transmitter.issuer ? subject.sub : undefined;
  if (subject.format === 'opaque') return subject.id;
  const email = subject.email.toLowerCase();
  const known = directory.listPrincipals().find((p) => typeof p.attributes.email === 'string' && p.attributes.email.toLowerCase() === email);
  return known?.id ?? email;
}

function deviceIdOf(subject: SimpleSubject): string | undefined {
  if (subject.format === 'opaque') return subject.id;
  if (subject.format === 'iss_sub') return subject.sub;
  return undefined;
}
