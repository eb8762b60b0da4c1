/** The principals and devices Warden knows from its configuration. */
import type { DeviceConfig, PrincipalConfig } from '../config/index.js';
import type { Device, DeviceProof, Principal, PrincipalKind } from '../core/index.js';

export class Directory {
  private readonly principals = new Map<string, PrincipalConfig>();
  private readonly devices = new Map<string, DeviceConfig>();
  private readonly deviceByCertificate = new Map<string, DeviceConfig>();

  constructor(principals: PrincipalConfig[], devices: DeviceConfig[]) {
    for (const p of principals) this.principals.set(p.id, p);
    for (const d of devices) {
      this.devices.set(d.id, d);
      for (const fingerprint of d.certificates ?? []) this.deviceByCertificate.set(fingerprint, d);
    }
  }

  /** The configured principal, or a bare one of the given kind for identities only the IdP knows. */
  principal(id: string, fallbackKind: PrincipalKind = 'User'): Principal {
    const p = this.principals.get(id);
    if (!p) return { kind: fallbackKind, id, attributes: {}, groups: [], roles: [] };
    return { kind: p.kind, id: p.id, attributes: { ...p.attributes }, groups: [...p.groups], roles: [...p.roles] };
  }

  has(id: string): boolean {
    return this.principals.has(id);
  }

  /** Whether agent `agentId` may act for `user` (by user id or `group:NAME`). */
  mayActFor(agentId: string, user: Principal): boolean {
    const allowed = this.principals.get(agentId)?.mayActFor ?? [];
    return allowed.some((entry) => entry === user.id || (entry.startsWith('group:') && user.groups.includes(entry.slice(6))));
  }

  /**
   * A known device's posture with how it was proven; an unknown device id is present but neither managed
   * nor compliant. Call only with a proven id: a claimed one is no device at all.
   */
  device(id: string, proof: DeviceProof): Device {
    const d = this.devices.get(id);
    if (!d) return { id, managed: false, compliant: false, osPatched: false, diskEncrypted: false, platform: 'unknown', proof };
    const sources = { managed: 'config', compliant: 'config', osPatched: 'config', diskEncrypted: 'config' };
    return { id: d.id, managed: d.managed, compliant: d.compliant, osPatched: d.osPatched, diskEncrypted: d.diskEncrypted, platform: d.platform, proof, sources, ...(d.owner !== undefined ? { owner: d.owner } : {}) };
  }

  /** The device a client certificate (full SHA-256 hex of its DER) is enrolled for. */
  deviceIdForCertificate(fingerprint: string): string | undefined {
    return this.deviceByCertificate.get(fingerprint)?.id;
  }

  listPrincipals(): PrincipalConfig[] {
    return [...this.principals.values()];
  }
}
