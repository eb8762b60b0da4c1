/**
 * Whether the database answers, for `/readyz`. The endpoint needs no credential, so a flood of probes
 * must not become a flood of queries: concurrent checks share one `SELECT 1`, and a result is reused for
 * `maxAgeMs`. A check that fails or does not answer within `timeoutMs` reports not ready (fail closed).
 */
export class DatabaseHealth {
  private last: { at: number; ok: boolean } | undefined;
  private inFlight: Promise<boolean> | undefined;

  constructor(
    private readonly ping: () => Promise<void>,
    private readonly options: { maxAgeMs?: number; timeoutMs?: number } = {},
  ) {}

  async ready(now = Date.now()): Promise<boolean> {
    if (this.last && now - this.last.at < (this.options.maxAgeMs ?? 1000)) return this.last.ok;
    this.inFlight ??= this.check().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async check(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.timeoutMs ?? 2000);
    });
    const ok = await Promise.race([this.ping().then(() => true, () => false), timeout]);
    clearTimeout(timer);
    this.last = { at: Date.now(), ok };
    return ok;
  }
}
