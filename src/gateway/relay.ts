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

const USAGE_PARSE_LIMIT = 1 << 20;

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
  let bytes = 0;
  const kept: Buffer[] = [];
  try {
    for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
      if (res.destroyed) break;
      bytes += chunk.length;
      let data: Buffer | string = chunk;
      let stop: string | undefined;
      if (options.transform) ({ data, stop } = options.transform(chunk));
      if (options.collectUsage && bytes <= USAGE_PARSE_LIMIT) kept.push(chunk);
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
  if (options.collectUsage && bytes <= USAGE_PARSE_LIMIT && contentType.includes('json')) readUsage(ex, Buffer.concat(kept));
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
