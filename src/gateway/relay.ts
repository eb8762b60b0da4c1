/**
 * Relays an upstream response to the client: status, safe headers and the body chunk by chunk with
 * back-pressure, so streamed (SSE) answers reach the client as they are produced. A failure mid-stream
 * ends an SSE response with a final error event; a client that disconnects aborts the upstream request.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { once } from 'node:events';
import { WardenError } from '../core/index.js';
import type { Exchange } from './exchange.js';
import { errorJson, formatEvent } from './sse.js';
import { copyResponseHeaders, discardBody } from './upstream.js';
import { usageOf } from './usage.js';

export interface RelayOptions {
  /** Parse `usage` from a JSON (non-streaming) answer for the decision event. */
  collectUsage: boolean;
  /** Transforms each chunk (e.g. output inspection); returns the bytes to send and whether to stop. */
  transform?: (chunk: Buffer) => { data: Buffer | string; stop?: string };
  /** Called at the end of a stream to flush what the transform held back; may replace the status while nothing was sent. */
  flush?: () => { data: Buffer | string; status?: number };
}

/** The largest non-streamed answer held whole (and so the largest one that can be inspected). */
export const MAX_WHOLE_ANSWER = 8 << 20;

export async function relayResponse(ex: Exchange, res: ServerResponse, upstream: Dispatcher.ResponseData, options: RelayOptions): Promise<void> {
  const contentType = String(upstream.headers['content-type'] ?? '');
  const sse = contentType.includes('text/event-stream');
  if (!sse && upstream.statusCode !== 204) return relayWhole(ex, res, upstream, options, contentType);
  startResponse(ex, res, upstream);
  if (sse) {
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
  }
  let bytes = 0;
  try {
    for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
      if (res.destroyed) break;
      bytes += chunk.length;
      let data: Buffer | string = chunk;
      let stop: string | undefined;
      if (options.transform) ({ data, stop } = options.transform(chunk));
      if (data.length && !res.write(data)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      if (stop !== undefined) {
        ex.errorCode = stop;
        discardBody(upstream);
        break;
      }
    }
    if (options.flush && !res.destroyed) {
      const tail = options.flush();
      if (tail.status !== undefined && !res.headersSent) {
        res.statusCode = tail.status;
        ex.status = tail.status;
        res.setHeader('content-type', 'application/json');
      }
      if (tail.data.length) res.write(tail.data);
    }
  } catch (error) {
    ex.errorCode = res.destroyed ? 'client_closed' : 'upstream_stream_error';
    if (sse && !res.destroyed) {
      res.write(formatEvent(errorJson('upstream_unavailable', 'the upstream stream failed')));
    } else if (!res.destroyed) {
      // Headers are gone: the only honest signal left to a non-SSE client is a broken connection.
      res.destroy(error as Error);
    }
  }
  if (res.destroyed && !res.writableFinished) {
    ex.errorCode ??= 'client_closed';
    discardBody(upstream);
  } else {
    res.end();
  }
  ex.usage.responseBytes = bytes;
}

/** Status and allow-listed headers of the upstream's answer; set only once Warden relays it. */
function startResponse(ex: Exchange, res: ServerResponse, upstream: Dispatcher.ResponseData): void {
  ex.status = upstream.statusCode;
  res.statusCode = upstream.statusCode;
  copyResponseHeaders(upstream.headers, res);
  res.setHeader('x-request-id', ex.requestId);
}

/**
 * A complete (non-streamed) answer up to the buffering limit is read whole and sent in one write with a
 * content length: one syscall instead of a chunked stream, and the usage can be read from it. A larger
 * answer is streamed as it comes when nothing inspects it; an answer that must be inspected and is larger
 * than the limit is refused (502), never relayed uninspected. Nothing is sent before the answer is judged,
 * so a refusal is a clean error response.
 */
async function relayWhole(ex: Exchange, res: ServerResponse, upstream: Dispatcher.ResponseData, options: RelayOptions, contentType: string): Promise<void> {
  // One iterator for the whole body: breaking out of a for-await loop would close the stream.
  const body = (upstream.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let bytes = 0;
  let done = false;
  try {
    while (bytes <= MAX_WHOLE_ANSWER) {
      const next = await body.next();
      if (next.done) {
        done = true;
        break;
      }
      chunks.push(next.value);
      bytes += next.value.length;
    }
  } catch (error) {
    if (res.destroyed) {
      ex.errorCode = 'client_closed';
      return;
    }
    throw new WardenError('upstream_unavailable', 'the upstream answer could not be read', { cause: error });
  }
  if (!done) {
    if (options.transform) {
      discardBody(upstream);
      throw new WardenError('upstream_invalid_answer', `the answer is larger than Warden inspects (${MAX_WHOLE_ANSWER >> 20} MiB)`);
    }
    startResponse(ex, res, upstream);
    for (const chunk of chunks) res.write(chunk);
    try {
      for (let next = await body.next(); !next.done && !res.destroyed; next = await body.next()) {
        bytes += next.value.length;
        if (!res.write(next.value)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
    } catch (error) {
      // Headers are gone: the only honest signal left to the client is a broken connection.
      ex.errorCode = res.destroyed ? 'client_closed' : 'upstream_stream_error';
      res.destroy(error as Error);
      ex.usage.responseBytes = bytes;
      return;
    }
    if (res.destroyed) discardBody(upstream);
    res.end();
    ex.usage.responseBytes = bytes;
    return;
  }
  startResponse(ex, res, upstream);
  let answer: Buffer | string = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (options.collectUsage && contentType.includes('json')) readUsage(ex, answer as Buffer);
  if (options.transform) {
    answer = options.transform(Buffer.from(answer)).data;
    const tail = options.flush?.();
    if (tail) {
      if (tail.status !== undefined) {
        res.statusCode = tail.status;
        ex.status = tail.status;
        res.setHeader('content-type', 'application/json');
      }
      answer = Buffer.concat([Buffer.from(answer), Buffer.from(tail.data)]);
    }
  }
  res.setHeader('content-length', Buffer.byteLength(answer));
  res.end(answer);
  ex.usage.responseBytes = bytes;
}

function readUsage(ex: Exchange, body: Buffer): void {
  try {
    Object.assign(ex.usage, usageOf(JSON.parse(body.toString('utf8'))));
  } catch {
    // Not JSON after all: usage stays unknown.
  }
}
