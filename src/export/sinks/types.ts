/** The contract between the exporter's per-sink worker and a transport. */
import type { Severity } from '../../core/index.js';

/** One record as a sink will send it: its log position and its encoded bytes (without framing). */
export interface EncodedRecord {
  index: number;
  payload: string;
}

/** What a sink's `encode` receives: the formatted body and what the transport header needs. */
export interface FormattedRecord {
  index: number;
  leafHash: string;
  /** Event time, ms since the epoch. */
  time: number;
  severity: Severity;
  body: Record<string, unknown> | string;
}

export interface Sink {
  /** Encodes one record (envelope, syslog header...) into the unit `send` delivers. Pure. */
  encode(record: FormattedRecord): string;
  /**
   * Delivers a batch, in order. Resolves once the transport says it is delivered (HTTP 200, fsync, the
   * socket write completed); rejects with `RetryableError` or `RejectedError` (the worker retries the
   * former with backoff, and splits / dead-letters the latter).
   */
  send(batch: readonly EncodedRecord[], signal: AbortSignal): Promise<void>;
  /** Stream sinks: the lowest position written but not yet settled (see syslog `settleMs`). */
  unconfirmedFrom?(): number | undefined;
  /** Stream sinks: after a dropped connection, the position to resend from (returned once). */
  takeRewind?(): number | undefined;
  /** Flushes and releases the transport; never throws. */
  close(): Promise<void>;
}

/** A delivery that may succeed later: receiver down or busy (503, 429), connection dropped, timeout. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

/** The receiver refused the content itself (e.g. HEC 400 invalid data): retrying the same bytes cannot help. */
export class RejectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RejectedError';
  }
}

/** A short, secret-free description of an error for status and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${cause}`.slice(0, 300);
  }
  return String(error).slice(0, 300);
}
