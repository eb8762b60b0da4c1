/**
 * The engine's baselines in memory (principals, peer groups, assets, resources known organisation-wide)
 * and their persistence: changed baselines are saved as JSON rows, all are loaded on start.
 */
import { Baseline, GroupBaseline } from './baseline/principal.js';
import { AssetBaseline } from './detectors/assets.js';
import type { BaselineKind, RiskRepository } from './store.js';

/** Row key of the all-devices peer baseline (a name no peer group can have: groups come from principals). */
const DEVICE_GROUP = '\u0000devices';

export class BaselineState {
  readonly principals = new Map<string, Baseline>();
  readonly groups = new Map<string, GroupBaseline>();
  readonly assets = new Map<string, AssetBaseline>();
  /** Per device: its own volume baseline, apart from the principals that use it. */
  readonly devices = new Map<string, Baseline>();
  /** All devices together: the peer baseline a device's volume is compared with. */
  deviceGroup = new GroupBaseline();
  /** Distinct principals that used each resource, across the organisation. */
  readonly knownResources = new Map<string, number>();

  constructor(private readonly store: RiskRepository) {}

  principal(key: string, maxEntities: number): Baseline {
    let b = this.principals.get(key);
    if (!b) {
      b = new Baseline();
      this.principals.set(key, b);
      if (this.principals.size > maxEntities) this.evictOldest();
    }
    return b;
  }

  device(id: string, maxEntities: number): Baseline {
    let b = this.devices.get(id);
    if (!b) {
      b = new Baseline();
      this.devices.set(id, b);
      if (this.devices.size > maxEntities) {
        const [key, old] = this.devices.entries().next().value as [string, Baseline];
        if (old.dirty) this.store.saveBaselines([{ kind: 'device', key, data: old.toJSON() }]);
        this.devices.delete(key);
      }
    }
    return b;
  }

  group(name: string): GroupBaseline {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = new GroupBaseline()));
    return g;
  }

  asset(resource: string): AssetBaseline {
    let a = this.assets.get(resource);
    if (!a) this.assets.set(resource, (a = new AssetBaseline()));
    return a;
  }

  /** Saves every baseline changed since the last save. */
  save(): void {
    const rows: { kind: BaselineKind; key: string; data: unknown }[] = [];
    const collect = (kind: BaselineKind, map: Map<string, { dirty: boolean; toJSON(): unknown }>): void => {
      for (const [key, b] of map) {
        if (!b.dirty) continue;
        rows.push({ kind, key, data: b.toJSON() });
        b.dirty = false;
      }
    };
    collect('principal', this.principals);
    collect('group', this.groups);
    collect('asset', this.assets);
    collect('device', this.devices);
    if (this.deviceGroup.dirty) {
      rows.push({ kind: 'group', key: DEVICE_GROUP, data: this.deviceGroup.toJSON() });
      this.deviceGroup.dirty = false;
    }
    this.store.saveBaselines(rows);
  }

  load(): void {
    for (const { key, data } of this.store.loadBaselines('principal')) this.principals.set(key, Baseline.fromJSON(data));
    for (const { key, data } of this.store.loadBaselines('group')) {
      if (key === DEVICE_GROUP) this.deviceGroup = GroupBaseline.fromJSON(data);
      else this.groups.set(key, GroupBaseline.fromJSON(data));
    }
    for (const { key, data } of this.store.loadBaselines('device')) this.devices.set(key, Baseline.fromJSON(data));
    for (const { key, data } of this.store.loadBaselines('asset')) this.assets.set(key, AssetBaseline.fromJSON(data));
    for (const g of this.groups.values()) for (const [r, n] of g.resources) this.knownResources.set(r, (this.knownResources.get(r) ?? 0) + n);
  }

  /** Saves and drops the principal created longest ago (memory bound). */
  private evictOldest(): void {
    const [key, b] = this.principals.entries().next().value as [string, Baseline];
    if (b.dirty) this.store.saveBaselines([{ kind: 'principal', key, data: b.toJSON() }]);
    this.principals.delete(key);
  }
}
