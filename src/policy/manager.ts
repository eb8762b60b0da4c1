/**
 * Keeps the decision point on the active policy version. A new bundle is validated and loaded before it
 * is marked active, so an invalid set never replaces the set in force. Versions activated by another
 * process (the CLI) are picked up by polling the store.
 */
import type { Logger } from '../core/logger.js';
import { BundleError, bundleDigest, type PolicyBundle } from './bundle.js';
import type { LoadReport, PolicyDecisionPoint } from './pdp.js';
import type { PolicyVersionStore } from './versions.js';

export interface PolicyManagerEvents {
  onLoad?(report: LoadReport): void;
  onLoadFailed?(version: number, error: unknown): void;
  /** A version was activated through this manager (not one picked up from the store). */
  onActivate?(version: number): void;
}

export class PolicyManager {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly store: PolicyVersionStore,
    readonly pdp: PolicyDecisionPoint,
    private readonly logger: Logger,
    private readonly events: PolicyManagerEvents = {},
  ) {}

  /**
   * At start: a bundle whose content was never seen (the files changed) becomes active; otherwise the
   * version active before the restart stays active. An invalid new bundle is refused and the previous
   * active version is loaded; with no previous version, start-up fails.
   */
  bootstrap(bundle: PolicyBundle, by: string): LoadReport {
    const known = this.store.list().some((v) => v.digest === bundleDigest(bundle));
    const previous = this.store.activeVersion();
    if (!known || previous === undefined) {
      try {
        return this.publish(bundle, by);
      } catch (error) {
        if (previous === undefined) throw error;
        this.logger.error({ problems: (error as BundleError).problems, err: (error as Error).message }, 'the configured policies are invalid; the previously active version stays in force');
      }
    }
    return this.loadVersion(this.store.activeVersion()!);
  }

  /** Validates, saves and activates a bundle; returns the load report. Throws BundleError when invalid. */
  publish(bundle: PolicyBundle, by: string): LoadReport {
    const version = this.store.save(bundle, by);
    return this.activate(version, by, bundle);
  }

  activate(version: number, by: string, bundle = this.store.get(version)): LoadReport {
    if (!bundle) throw new BundleError(`no policy version ${version}`);
    const report = this.pdp.load(version, bundle);
    this.store.activate(version, by);
    this.loaded(report);
    this.events.onActivate?.(version);
    return report;
  }

  /** Loads the active version if another process changed it. */
  checkForActivation(): void {
    const active = this.store.activeVersion();
    if (active === undefined || active === this.pdp.version) return;
    try {
      this.loadVersion(active);
    } catch (error) {
      this.events.onLoadFailed?.(active, error);
      this.logger.error({ version: active, err: (error as Error).message }, 'could not load the newly activated policy version; the set in force stays');
    }
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.checkForActivation(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private loadVersion(version: number): LoadReport {
    const bundle = this.store.get(version);
    if (!bundle) throw new BundleError(`no policy version ${version}`);
    const report = this.pdp.load(version, bundle);
    this.loaded(report);
    return report;
  }

  private loaded(report: LoadReport): void {
    this.events.onLoad?.(report);
    if (report.fallbackReason) this.logger.warn({ version: report.version, reason: report.fallbackReason }, 'policy set uses cedar-wasm: the compiled engine does not support it');
    else this.logger.info({ version: report.version, engine: report.engine }, 'policy set loaded');
  }
}
