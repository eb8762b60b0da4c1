/**
 * Waiting for a condition instead of sleeping: what another instance, a broker or a child process does
 * happens "soon", never at a time a test may assume. The deadline is for a loaded shared machine (a
 * failure says what never happened), not a timing claim; benchmarks measure time.
 */
import assert from 'node:assert/strict';

export interface EventuallyOptions {
  /** How long to keep trying (default 30 s). */
  timeoutMs?: number;
  /** Pause between tries (default 100 ms). */
  intervalMs?: number;
  /** Appended to the failure message: e.g. the tail of the processes' output. */
  context?: () => string;
}

/**
 * Calls `probe` until it returns something other than `undefined` or `false`, and returns that; fails
 * with `never happened: <what>` once the deadline has passed.
 *
 * @example
 * await eventually('the key reaches instance two', async () => (await fetch(url, init)).status === 200);
 * const row = await eventually('the incident is listed', async () => (await list()).find((i) => i.id === id));
 */
export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, options: EventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`never happened: ${what}${options.context ? `\n${options.context()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
