/**
 * A device's effective posture: the configured facts, overridden fact by fact by the freshest observation
 * of any source (a signed report, an MDM/EDR webhook, a CAEP device-compliance-change). An observation
 * older than `maxAgeMs` is not believed: the fact counts as false, and its source says `stale:<source>`,
 * so a device that stopped reporting falls out of compliance on its own.
 *
 * @example
 * const device = withPosture(directory.device('d1', 'certificate'), records, 86_400_000, Date.now());
 * device.compliant;         // the newest fresh statement
 * device.sources?.compliant; // e.g. 'report' or 'stale:webhook:intune'
 */
import type { Device, PostureFact } from '../../core/index.js';
import type { DevicePostureRecord } from '../store/types.js';

export const POSTURE_FACTS: readonly PostureFact[] = ['managed', 'compliant', 'osPatched', 'diskEncrypted'];

export function withPosture(device: Device, records: readonly DevicePostureRecord[], maxAgeMs: number, nowMs: number): Device {
  if (records.length === 0) return device;
  const newestFirst = [...records].sort((a, b) => (a.observedAt < b.observedAt ? 1 : a.observedAt > b.observedAt ? -1 : 0));
  const fresh = (r: DevicePostureRecord): boolean => nowMs - Date.parse(r.observedAt) <= maxAgeMs;
  const out: Device = { ...device, sources: { ...device.sources } };
  for (const fact of POSTURE_FACTS) {
    const stating = newestFirst.filter((r) => r.facts[fact] !== undefined);
    const current = stating.find(fresh);
    if (current) {
      out[fact] = current.facts[fact]!;
      out.sources![fact] = current.source;
    } else if (stating.length > 0) {
      out[fact] = false;
      out.sources![fact] = `stale:${stating[0]!.source}`;
    }
  }
  const platform = newestFirst.find((r) => r.facts.platform !== undefined && fresh(r))?.facts.platform;
  if (platform !== undefined) out.platform = platform;
  return out;
}
