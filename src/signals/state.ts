/**
 * What the shared signals say, in memory, applied to each request right after authentication (no I/O
 * on the hot path): a disabled account is refused, a credential issued before a revocation is refused,
 * an assurance level below multi-factor lowers `authn`, and a proven device gets its observed posture.
 * Reloaded from the repository after each change here and every second for changes made elsewhere.
 */
import { WardenError, type Identity, type Principal } from '../core/index.js';
import { withPosture } from './devices/posture.js';
import type { DeviceKeyRecord, DevicePostureRecord, PrincipalSignalState, SignalsRepository } from './store/types.js';

export class SignalState {
  private principals = new Map<string, PrincipalSignalState>();
  private posture = new Map<string, DevicePostureRecord[]>();
  private keys = new Map<string, DeviceKeyRecord>();

  constructor(
    private readonly repo: SignalsRepository,
    private readonly postureMaxAgeMs: number,
  ) {}

  async reload(): Promise<void> {
    const [principals, posture, keys] = await Promise.all([this.repo.listPrincipalStates(), this.repo.listPosture(), this.repo.listDeviceKeys()]);
    this.principals = new Map(principals.map((p) => [p.principal, p]));
    const byDevice = new Map<string, DevicePostureRecord[]>();
    for (const r of posture) byDevice.set(r.device, [...(byDevice.get(r.device) ?? []), r]);
    this.posture = byDevice;
    this.keys = new Map(keys.map((k) => [k.device, k]));
  }

  principal(id: string): PrincipalSignalState | undefined {
    return this.principals.get(id);
  }

  deviceKey(device: string): DeviceKeyRecord | undefined {
    return this.keys.get(device);
  }

  postureRecords(device: string): readonly DevicePostureRecord[] {
    return this.posture.get(device) ?? [];
  }

  /** Applies the signals to a freshly authenticated identity; throws when they refuse it. */
  apply(identity: Identity, nowMs = Date.now()): void {
    for (const p of [identity.principal, identity.delegation?.onBehalfOf]) if (p) this.applyPrincipal(identity, p, nowMs);
    const device = identity.device;
    if (!device) return;
    const key = this.keys.get(device.id);
    const people = [identity.principal.id, identity.delegation?.onBehalfOf.id];
    if (key?.owner && !people.includes(key.owner)) throw new WardenError('forbidden', `device \`${device.id}\` belongs to another principal`);
    identity.device = withPosture(device, this.postureRecords(device.id), this.postureMaxAgeMs, nowMs);
  }

  private applyPrincipal(identity: Identity, principal: Principal, nowMs: number): void {
    const state = this.principals.get(principal.id);
    if (!state) return;
    if (state.disabledAt !== null) throw new WardenError('account_disabled');
    const authn = identity.authentication;
    const since = credentialTime(identity, nowMs);
    if (state.revokedBefore !== null && since !== null && since <= Date.parse(state.revokedBefore)) {
      // A session (a token, a session token) ends; an API key is not a session, but its step-up elevation is.
      if (authn.method === 'apikey') lowerToSingleFactor(identity);
      else throw new WardenError('session_revoked');
    }
    if (state.assurance !== null) {
      authn.assurance = state.assurance.level;
      if (since !== null && since <= Date.parse(state.assurance.at) && isSingleFactorLevel(state.assurance.namespace, state.assurance.level)) lowerToSingleFactor(identity);
    }
  }
}

/**
 * When the session behind the credential began, in epoch ms, for the methods a signal can end: a token's
 * `iat` (0 without one: it cannot show it is newer), a session token's or an elevated key's
 * authentication time. Null for what is not a session (client certificates, API keys not elevated).
 */
function credentialTime(identity: Identity, nowMs: number): number | null {
  const authn = identity.authentication;
  if (authn.method === 'jwt') return authn.issuedAt === undefined ? 0 : authn.issuedAt * 1000;
  if (authn.method === 'session' || (authn.method === 'apikey' && authn.mfa)) return authn.ageSeconds === undefined ? 0 : nowMs - authn.ageSeconds * 1000;
  return null;
}

function lowerToSingleFactor(identity: Identity): void {
  const authn = identity.authentication;
  authn.mfa = false;
  authn.strength = Math.min(authn.strength, 1);
  delete authn.ageSeconds;
}

/**
 * Levels of CAEP's assurance namespaces that are single-factor. Unknown namespaces and levels change
 * nothing but `authn.assurance`: a signal lowers trust it understands, and never raises it.
 */
export function isSingleFactorLevel(namespace: string, level: string): boolean {
  const l = level.toLowerCase();
  switch (namespace.toUpperCase()) {
    case 'NIST-AAL':
      return /(^|-)aal1$/.test(l);
    case 'ISO-IEC-29115':
      return /lvl-?[12]$/.test(l);
    case 'RFC6711':
      return /loa\/?[12]$/.test(l);
    case 'RFC8176':
      return l !== 'mfa';
    default:
      return false;
  }
}
