/**
 * MDM/EDR payloads → posture observations. Warden's generic shape is documented in docs/signals.md;
 * the others read the fields of Intune's `managedDevice`, Jamf Pro's computer webhooks and CrowdStrike's
 * Zero Trust Assessment, as far as posture goes. Unknown members are ignored; a missing fact is not
 * stated (it is not taken as false).
 *
 * @example
 * mapPosture('intune', { value: [{ azureADDeviceId: 'd1', complianceState: 'compliant', isEncrypted: true }] }, now)
 * // [{ device: 'd1', facts: { compliant: true, diskEncrypted: true }, observedAt: now }]
 */
import { z } from 'zod';
import { WardenError } from '../../core/index.js';
import type { PostureFacts } from '../store/types.js';

export interface PostureObservation {
  device: string;
  facts: PostureFacts;
  /** ISO time the source observed the facts. */
  observedAt: string;
}

export type PostureFormat = 'generic' | 'intune' | 'jamf' | 'crowdstrike';

const MAX_DEVICES = 1000;
const deviceId = z.string().min(1).max(200);
const time = z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).optional();

const generic = z
  .object({
    deviceId,
    observedAt: time,
    managed: z.boolean().optional(),
    compliant: z.boolean().optional(),
    osPatched: z.boolean().optional(),
    diskEncrypted: z.boolean().optional(),
    platform: z.string().max(100).optional(),
  })
  .strict();

const intune = z
  .object({
    id: deviceId.optional(),
    azureADDeviceId: deviceId.optional(),
    complianceState: z.string().max(50).optional(),
    managementState: z.string().max(50).optional(),
    isEncrypted: z.boolean().optional(),
    operatingSystem: z.string().max(100).optional(),
    lastSyncDateTime: time,
  })
  .loose();

const jamfComputer = z
  .object({
    udid: deviceId,
    managed: z.boolean().optional(),
    compliant: z.boolean().optional(),
    osPatched: z.boolean().optional(),
    fileVault2Status: z.string().max(50).optional(),
    operatingSystem: z.string().max(100).optional(),
  })
  .loose();
const jamf = z.object({ webhook: z.object({ eventTimestamp: z.number().int().positive().optional() }).loose().optional(), event: z.object({ computer: jamfComputer }).loose() }).loose();

const crowdstrike = z
  .object({
    aid: deviceId,
    assessment: z.object({ overall: z.number().min(0).max(100), os: z.number().min(0).max(100).optional() }).loose().optional(),
    status: z.string().max(50).optional(),
    platform: z.string().max(100).optional(),
    modified_time: time,
  })
  .loose();

function list<T extends z.ZodType>(schema: T, body: unknown, key: string): z.infer<T>[] {
  const items = typeof body === 'object' && body !== null && Array.isArray((body as Record<string, unknown>)[key]) ? ((body as Record<string, unknown>)[key] as unknown[]) : [body];
  if (items.length === 0 || items.length > MAX_DEVICES) throw new WardenError('validation_failed', `\`${key}\`: expected 1 to ${MAX_DEVICES} devices`);
  return items.map((item, i) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) throw new WardenError('validation_failed', `\`${key}.${i}.${parsed.error.issues[0]!.path.join('.')}\`: ${parsed.error.issues[0]!.message}`);
    return parsed.data as z.infer<T>;
  });
}

function isoOf(value: string | number | undefined, nowMs: number): string {
  if (value === undefined) return new Date(nowMs).toISOString();
  return new Date(typeof value === 'number' ? value : Date.parse(value)).toISOString();
}

/** Drops facts a source did not state. */
function stated(facts: PostureFacts): PostureFacts {
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as PostureFacts;
}

/** CrowdStrike's Zero Trust Assessment score at or above which a host counts as compliant. */
export const ZTA_COMPLIANT = 50;

export function mapPosture(format: PostureFormat, body: unknown, nowMs: number): PostureObservation[] {
  switch (format) {
    case 'generic':
      return list(generic, body, 'devices').map((d) => ({ device: d.deviceId, observedAt: isoOf(d.observedAt, nowMs), facts: stated({ managed: d.managed, compliant: d.compliant, osPatched: d.osPatched, diskEncrypted: d.diskEncrypted, platform: d.platform }) }));
    case 'intune':
      return list(intune, body, 'value').map((d, i) => {
        const device = d.azureADDeviceId ?? d.id;
        if (device === undefined) throw new WardenError('validation_failed', `\`value.${i}\`: expected \`azureADDeviceId\` or \`id\``);
        return {
          device,
          observedAt: isoOf(d.lastSyncDateTime, nowMs),
          facts: stated({ compliant: d.complianceState === undefined ? undefined : d.complianceState === 'compliant', managed: d.managementState === undefined ? undefined : d.managementState === 'managed', diskEncrypted: d.isEncrypted, platform: d.operatingSystem }),
        };
      });
    case 'jamf':
      return list(jamf, body, 'events').map((e) => {
        const c = e.event.computer;
        const encrypted = c.fileVault2Status === undefined ? undefined : ['ALL_ENCRYPTED', 'BOOT_ENCRYPTED', 'ENCRYPTED'].includes(c.fileVault2Status.toUpperCase());
        return { device: c.udid, observedAt: isoOf(e.webhook?.eventTimestamp, nowMs), facts: stated({ managed: c.managed, compliant: c.compliant, osPatched: c.osPatched, diskEncrypted: encrypted, platform: c.operatingSystem ?? 'macOS' }) };
      });
    case 'crowdstrike':
      return list(crowdstrike, body, 'resources').map((d) => {
        // A contained host is cut off by the EDR: never compliant, whatever its score.
        const contained = d.status !== undefined && d.status.toLowerCase() === 'contained';
        const compliant = contained ? false : d.assessment === undefined ? undefined : d.assessment.overall >= ZTA_COMPLIANT;
        return { device: d.aid, observedAt: isoOf(d.modified_time, nowMs), facts: stated({ compliant, osPatched: d.assessment?.os === undefined ? undefined : d.assessment.os >= ZTA_COMPLIANT, platform: d.platform }) };
      });
  }
}
