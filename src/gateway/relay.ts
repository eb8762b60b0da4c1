/**
 * Relays an upstream response to the client: status, safe headers and the body chunk by chunk with
 * back-pressure, so streamed (SSE) answers reach the client as they are produced. A failure mid-stream
 * ends an SSE response with a final error event; a client that disconnects aborts the upstream request.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { once } from 'node:events';
import type { Exchange } from './exchange.js';
import { copyResponseHeaders } from './upstream.js';

export interface RelayOptions {
  /** Parse `usage` from a JSON (non-streaming) answer for the decision event. */
  collectUsage: boolean;
  /** Transforms each chunk (e.g. output inspection); returns the bytes to send and whether to stop. */
  transform?: (chunk: Buffer) => { data: Buffer | string; stop?: string };
  /** Called at the end of a stream to flush what the transform held back; may replace the status while nothing was sent. */
  flush?: () => { data: Buffer | string; status?: number };
}

const WHOLE_LIMIT = 8 << 20;

export async function relayResponse(ex: Exchange, res: ServerResponse, upstream: Dispatcher.ResponseData, options: RelayOptions): Promise<void> {
  ex.status = upstream.statusCode;
  res.statusCode = upstream.statusCode;
  copyResponseHeaders(upstream.headers, res);
  res.setHeader('x-request-id', ex.requestId);
  const contentType = String(upstream.headers['content-type'] ?? '');
  const sse = contentType.includes('text/event-stream');
  if (sse) {
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
  }
  if (!sse && upstream.statusCode !== 204) return relayWhole(ex, res, upstream, options, contentType);
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
        upstream.body.destroy();
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
      res.write(`data: ${JSON.stringify({ error: { code: 'upstream_unavailable', message: 'the upstream stream failed' } })}\n\n`);
    } else if (!res.destroyed) {
      // Headers are gone: the only honest signal left to a non-SSE client is a broken connection.
      res.destroy(error as Error);
    }
  }
  if (res.destroyed && !res.writableFinished) {
    ex.errorCode ??= 'client_closed';
    upstream.body.destroy();
  } else {
    res.end();
  }
  ex.usage.responseBytes = bytes;
}

/**
 * A complete (non-streamed) answer up to the buffering limit is read whole and sent in one write with a
 * content length: one syscall instead of a chunked stream, and the usage can be read from it. Larger
 * answers are streamed as they come.
 */
async function relayWhole(ex: Exchange, res: ServerResponse, upstream: Dispatcher.ResponseData, options: RelayOptions, contentType: string): Promise<void> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes > WHOLE_LIMIT) break;
    }
  } catch {
    ex.errorCode = res.destroyed ? 'client_closed' : 'upstream_stream_error';
    res.destroy();
    return;
  }
  if (bytes > WHOLE_LIMIT) {
    // Too large to hold: send what was read, then stream the rest.
    for (const chunk of chunks) res.write(chunk);
    for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    res.end();
    ex.usage.responseBytes = bytes;
    return;
  }
  let body: Buffer | string = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (options.collectUsage && contentType.includes('json')) readUsage(ex, body);
  if (options.transform) {
    body = options.transform(Buffer.from(body)).data;
    const tail = options.flush?.();
    if (tail) {
      if (tail.status !== undefined) {
        res.statusCode = tail.status;
        ex.status = tail.status;
        res.setHeader('content-type', 'application/json');
      }
      body = Buffer.concat([Buffer.from(body), Buffer.from(tail.data)]);
    }
  }
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
  ex.usage.responseBytes = bytes;
}

function readUsage(ex: Exchange, body: Buffer): void {
  try {
    const usage = (JSON.parse(body.toString('utf8')) as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } }).usage;
    if (typeof usage?.prompt_tokens === 'number') ex.usage.promptTokens = usage.prompt_tokens;
    if (typeof usage?.completion_tokens === 'number') ex.usage.completionTokens = usage.completion_tokens;
  } catch {
    // Not JSON after all: usage stays unknown.
  }
}
