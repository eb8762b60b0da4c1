/**
 * What an import did with every record: turned into events, or skipped with a stated reason, or
 * rejected as malformed with its line. `records = converted + skipped + malformed` always holds, so a
 * report can show that no line went unaccounted for.
 */
import type { WardenEvent } from '../../core/index.js';

/** Distinct reasons kept; past it, further new reasons are pooled (reason text can echo log content). */
const MAX_REASONS = 200;
const OVERFLOW = 'other (too many distinct reasons to list)';

export class Tally {
  records = 0;
  /** Records that produced at least one event. */
  converted = 0;
  readonly events: WardenEvent[] = [];
  readonly skipped = new Map<string, number>();
  readonly malformed = new Map<string, number>();
  errorCount = 0;
  readonly errors: { line: number; message: string }[] = [];

  constructor(private readonly maxErrors: number) {}

  /** One record read. */
  read(): void {
    this.records++;
  }

  /** One record became these events. */
  convert(events: readonly WardenEvent[]): void {
    this.converted++;
    for (const e of events) this.events.push(e);
  }

  skip(reason: string): void {
    bump(this.skipped, reason);
  }

  fail(line: number, message: string): void {
    this.errorCount++;
    if (this.errors.length < this.maxErrors) this.errors.push({ line, message });
    // The reason drops quoted record content so that lines with the same defect count together.
    bump(this.malformed, message.replace(/`[^`]*`/g, '…'));
  }

  get skippedTotal(): number {
    let n = 0;
    for (const v of this.skipped.values()) n += v;
    return n;
  }
}

function bump(map: Map<string, number>, reason: string): void {
  const key = map.has(reason) || map.size < MAX_REASONS ? reason : OVERFLOW;
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** A record the connector understood but whose content it will not turn into an event. */
export class Skip {
  constructor(readonly reason: string) {}
}
