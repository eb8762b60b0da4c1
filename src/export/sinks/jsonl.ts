/**
 * JSON Lines sink: one record per line (a JSON document, or the CEF line for `format: cef`) appended to a
 * file (created with mode 0600 by default; each batch is fsynced before the cursor moves) or written to
 * stdout (delivered once the stream accepted it).
 *
 * @example
 * ```ts
 * const sink = createFileSink('/var/log/warden/events.jsonl');
 * ```
 */
import { open, type FileHandle } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { RetryableError, type EncodedRecord, type FormattedRecord, type Sink } from './types.js';

function line(record: FormattedRecord): string {
  const body = typeof record.body === 'string' ? record.body : JSON.stringify(record.body);
  return `${body.replace(/\n/g, ' ')}\n`;
}

export function createFileSink(path: string, mode = 0o600): Sink {
  let handle: FileHandle | undefined;
  return {
    encode: line,
    async send(batch: readonly EncodedRecord[]): Promise<void> {
      try {
        if (!handle) {
          mkdirSync(dirname(path), { recursive: true });
          handle = await open(path, 'a', mode);
        }
        await handle.write(batch.map((r) => r.payload).join(''));
        await handle.datasync();
      } catch (error) {
        const h = handle;
        handle = undefined;
        await h?.close().catch(() => undefined);
        throw new RetryableError(`cannot append to \`${path}\``, undefined, { cause: error });
      }
    },
    async close(): Promise<void> {
      const h = handle;
      handle = undefined;
      await h?.close().catch(() => undefined);
    },
  };
}

export function createStreamSink(stream: Writable): Sink {
  return {
    encode: line,
    async send(batch: readonly EncodedRecord[]): Promise<void> {
      await new Promise<void>((resolve, reject) => {
        stream.write(batch.map((r) => r.payload).join(''), (error) => (error ? reject(new RetryableError('stdout write failed', undefined, { cause: error })) : resolve()));
      });
    },
    async close(): Promise<void> {},
  };
}
