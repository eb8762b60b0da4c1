/**
 * Persistence of policy versions (issue 12 storage convention). Each distinct bundle is saved once (by
 * digest) and numbered; exactly one version is active. Any process (a running Warden, the CLI, another
 * instance on the same PostgreSQL) can activate a version; running instances notice by polling
 * `activeVersion()` and load it into their decision point, which decides from memory.
 */
import type { PolicyBundle } from '../bundle.js';

export interface PolicyVersionInfo {
  version: number;
  digest: string;
  createdAt: string;
  createdBy: string;
  active: boolean;
}

export interface PolicyRepository {
  /** Saves a bundle, or finds the identical one (same digest), and returns its version number. */
  save(bundle: PolicyBundle, by: string): Promise<number>;
  /** Makes `version` the active one; throws `NoSuchPolicyVersion` if it was never saved. */
  activate(version: number, by: string): Promise<void>;
  activeVersion(): Promise<number | undefined>;
  get(version: number): Promise<PolicyBundle | undefined>;
  /** Every version, oldest first, with the active one marked. */
  list(): Promise<PolicyVersionInfo[]>;
}

export class NoSuchPolicyVersion extends Error {
  constructor(readonly version: number) {
    super(`no policy version ${version}`);
  }
}
