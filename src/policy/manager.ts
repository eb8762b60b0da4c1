/**
 * Keeps the decision point on the active policy version. A new bundle is validated and loaded before it
 * is marked active, so an invalid set never replaces the set in force. Versions activated by another
 * process (the CLI) are picked up by polling the store.
 */
import type { Logger } from '../core/index.js';
import { BundleError, bundleDigest, type PolicyBundle } from './bundle.js';
import type { LoadReport, PolicyDecisionPoint } from './pdp.js';
import type { PolicyRepository } from './store/types.js';

export interface PolicyManagerEvents {
  onLoad?(report: LoadReport): void;
  onLoadFailed?(version: number, error: unknown): void;
  /** A version was activated through this manager (not one picked up from the store). */
  onActivate?(version: number): void;
}

export class PolicyManager {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly store: PolicyRepository,
    readonly pdp: PolicyDecisionPoint,
    private readonly logger: Logger,
    private readonly events: PolicyManagerEvents = {},
  ) {}

  /**
   * At start: a bundle whose content was never seen (the files changed) becomes active; otherwise the
   * version active before the restart stays active. An invalid new bundle is refused and the previous
   * active version is loaded; with no previous version, start-up fails.
   */
  async bootstrap(bundle: PolicyBundle, by: string): Promise<LoadReport> {
    const known = (await this.store.list()).some((v) => v.digest === bundleDigest(bundle));
    const previous = await this.store.activeVersion();
    if (!known || previous === undefined) {
      try {
        return await this.publish(bundle, by);
      } catch (error) {
        if (previous === undefined) throw error;
        this.logger.error({ problems: (error as BundleError).problems, err: (error as Error).message }, 'the configured policies are invalid; the previously active version stays in force');
      }
    }
    return this.loadVersion((await this.store.activeVersion())!);
  }

  /** Validates, saves and activates a bundle; returns the load report. Throws BundleError when invalid. */
  async publish(bundle: PolicyBundle, by: string): Promise<LoadReport> {
    const version = await this.store.save(bundle, by);
    return this.activate(version, by, bundle);
  }

  /**
   * Loads the version, then records it as active: an invalid bundle never becomes active. If the write
   * fails (the database is down) the error propagates and the caller is told the activation failed.
   */
  async activate(version: number, by: string, given?: PolicyBundle): Promise<LoadReport> {
    const bundle = given ?? (await this.store.get(version));
    if (!bundle) throw new BundleError(`no policy version ${version}`);
    const report = this.pdp.load(version, bundle);
    await this.store.activate(version, by);
    this.loaded(report);
    this.events.onActivate?.(version);
    return report;
  }

  /** Loads the active version if another process changed it. */
  async checkForActivation(): Promise<void> {
    const active = await this.store.activeVersion();
    if (active === undefined || active === this.pdp.version) return;
    try {
      await this.loadVersion(active);
    } catch (error) {
      this.events.onLoadFailed?.(active, error);
      this.logger.error({ version: active, err: (error as Error).message }, 'could not load the newly activated policy version; the set in force stays');
    }
  }

  /**
   * Polls every `intervalMs`, one check at a time. While the store cannot be read the set in force stays
   * (deciding needs only memory) and the failure is logged.
   */
  start(intervalMs: number): void {
    const tick = (): void => {
      this.checkForActivation()
        .catch((error: unknown) => this.logger.error({ err: (error as Error).message }, 'could not read the active policy version; the set in force stays'))
        .finally(() => {
          if (this.timer) this.timer = schedule();
        });
    };
    const schedule = (): NodeJS.Timeout => setTimeout(tick, intervalMs).unref();
    this.timer = schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async loadVersion(version: number): Promise<LoadReport> {
    const bundle = await this.store.get(version);
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
