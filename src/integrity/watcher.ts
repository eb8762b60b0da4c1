/**
 * The watcher: file-system events (fs.watch, recursive for directories) plus a periodic re-hash of every
 * registered local asset, both funnelled through one queue with a debounce and a per-minute rate limit, so
 * that a burst of writes or a large registry never floods the hashing workers.
 *
 * @example
 * const watcher = new AssetWatcher({ registry, verifier, config });
 * await watcher.start(); ... await watcher.stop();
 */
import { watch, statSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { AssetRegistry } from './registry/registry.js';
import type { AssetVerifier } from './verifier.js';
import type { IntegrityConfig } from './config.js';
import type { AssetWatch, IntegrityRepository } from './store/types.js';

export interface WatcherLogger {
  warn(obj: object, msg?: string): void;
}

export interface WatcherDeps {
  registry: AssetRegistry;
  verifier: AssetVerifier;
  config: IntegrityConfig;
  logger?: WatcherLogger;
  /** The repository's feed of committed asset writes (PostgreSQL): each one reloads the attributes at once. */
  changes?: NonNullable<IntegrityRepository['watchAssets']>;
}

const REMOTE = /^[a-z][a-z0-9+.-]*:\/\//i;

export class AssetWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly debounce = new Map<string, NodeJS.Timeout>();
  private readonly queue: { id: string; trigger: string }[] = [];
  private interval: NodeJS.Timeout | undefined;
  private reloader: NodeJS.Timeout | undefined;
  private feed: AssetWatch | undefined;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private refill: NodeJS.Timeout | undefined;
  private windowStart = 0;
  private used = 0;
  private wake: (() => void) | undefined;
  private draining: Promise<void> | undefined;
  private running = false;

  constructor(private readonly deps: WatcherDeps) {}

  /** Starts watching; resolves once the registered assets are watched (a failure to list them is logged, the periodic passes retry). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // The memory copy Cedar reads follows writes by other instances and the CLI: at once when the
    // repository announces them (PostgreSQL), and on this interval as the safety net for a notification
    // lost with its connection. A failed reload keeps the last copy.
    this.reloader = setInterval(() => this.reload(), this.deps.config.cacheRefreshSeconds * 1000);
    this.reloader.unref();
    const feed = await this.deps.changes?.(
      () => this.reload(),
      (error) => this.deps.logger?.warn({ err: error }, 'the asset registry change feed was lost; reconnecting (the periodic reload continues)'),
    );
    if (this.running) this.feed = feed;
    else await feed?.close(); // stopped while connecting
    const seconds = this.deps.config.watchIntervalSeconds;
    if (seconds > 0) {
      this.interval = setInterval(() => void this.periodic(), seconds * 1000);
      this.interval.unref();
    }
    await this.sync().catch((error: unknown) => this.deps.logger?.warn({ err: error }, 'cannot list the assets to watch'));
  }

  /**
   * Reloads the attributes from the store, one reload at a time: a change announced while one runs is
   * read by one more after it (it may have committed after that reload's read).
   */
  private reload(): void {
    if (!this.running) return;
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloadAgain = false;
    this.reloading = this.deps.registry
      .reload()
      .then(() => this.sync())
      .catch((error: unknown) => this.deps.logger?.warn({ err: error }, 'asset registry reload failed'))
      .finally(() => {
        this.reloading = undefined;
        if (this.reloadAgain) this.reload();
      });
  }

  private async periodic(): Promise<void> {
    try {
      await this.sync();
      for (const asset of await this.deps.registry.list()) this.enqueue(asset.id, 'periodic');
    } catch (error) {
      this.deps.logger?.warn({ err: error }, 'periodic re-hash could not list the assets');
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.interval) clearInterval(this.interval);
    if (this.reloader) clearInterval(this.reloader);
    this.reloader = undefined;
    await this.feed?.close();
    this.feed = undefined;
    if (this.refill) clearTimeout(this.refill);
    this.wake?.();
    this.interval = this.refill = undefined;
    for (const timer of this.debounce.values()) clearTimeout(timer);
    this.debounce.clear();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.queue.length = 0;
    await this.draining;
    await this.reloading;
    await this.deps.verifier.idle();
  }

  /** Starts watching assets registered since the last call, stops watching removed ones. */
  async sync(): Promise<void> {
    if (!this.running || !this.deps.config.fsEvents) return;
    const listed = await this.deps.registry.list();
    if (!this.running) return; // stopped while listing
    const assets = listed.filter((a) => !REMOTE.test(a.location));
    const ids = new Set(assets.map((a) => a.id));
    for (const [id, w] of this.watchers) {
      if (ids.has(id)) continue;
      w.close();
      this.watchers.delete(id);
    }
    for (const asset of assets) {
      if (this.watchers.has(asset.id)) continue;
      try {
        const isDir = statSync(asset.location).isDirectory();
        // A single file is watched through its directory: editors replace files by rename.
        const target = isDir ? asset.location : dirname(asset.location);
        const name = basename(asset.location);
        const w = watch(target, { recursive: isDir, persistent: false }, (_event, filename) => {
          if (!isDir && filename !== null && filename !== name && filename !== `${name}.sig`) return;
          this.schedule(asset.id);
        });
        w.on('error', (error) => {
          this.deps.logger?.warn({ assetId: asset.id, err: error }, 'watch failed; periodic re-hash continues');
          w.close();
          this.watchers.delete(asset.id);
        });
        this.watchers.set(asset.id, w);
      } catch (error) {
        this.deps.logger?.warn({ assetId: asset.id, err: error }, 'cannot watch asset; periodic re-hash continues');
      }
    }
  }

  /** A file-system event: re-hash after the debounce. */
  schedule(id: string): void {
    if (!this.running) return;
    const existing = this.debounce.get(id);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.debounce.delete(id);
      this.enqueue(id, 'fs-event');
    }, this.deps.config.debounceMs);
    timer.unref();
    this.debounce.set(id, timer);
  }

  enqueue(id: string, trigger: string): void {
    if (!this.running || this.queue.some((q) => q.id === id)) return;
    this.queue.push({ id, trigger });
    if (!this.draining) this.draining = this.drain().finally(() => (this.draining = undefined));
  }

  /**
   * What the watcher is doing: the asset ids waiting to be re-hashed, how many re-hashes the current
   * one-minute window has used, and whether the queue is held back because that budget is spent.
   */
  status(): { queued: string[]; usedThisWindow: number; waitingForBudget: boolean } {
    return { queued: this.queue.map((q) => q.id), usedThisWindow: this.used, waitingForBudget: this.wake !== undefined };
  }

  /** Resolves when the queue is empty and no check runs (tests). */
  async idle(): Promise<void> {
    while (this.draining || this.debounce.size) {
      await (this.draining ?? new Promise((r) => setTimeout(r, 20)));
    }
  }

  private async drain(): Promise<void> {
    while (this.running && this.queue.length) {
      const now = Date.now();
      if (now - this.windowStart >= 60_000) {
        this.windowStart = now;
        this.used = 0;
      }
      if (this.used >= this.deps.config.rehashPerMinute) {
        // Rate limit reached: wait for the next window (stop() cuts the wait short).
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.refill = setTimeout(resolve, this.windowStart + 60_000 - now);
          this.refill.unref();
        });
        this.wake = undefined;
        continue;
      }
      const next = this.queue.shift();
      if (!next) break;
      this.used++;
      try {
        await this.deps.verifier.check(next.id, next.trigger);
      } catch (error) {
        this.deps.logger?.warn({ assetId: next.id, err: error }, 'asset check failed');
      }
    }
  }
}
