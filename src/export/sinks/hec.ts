/**
 * Splunk HTTP Event Collector sink: one POST per batch to `/services/collector/event`, the events as
 * concatenated JSON envelopes, `Authorization: Splunk <token>`. Delivered means HTTP 200 (HEC code 0).
 * 503 (server busy), 429, other 5xx, 401/403 and dropped connections are retried by the worker with
 * backoff (honouring `Retry-After`); 413 and 400 "invalid data format" (HEC code 6) are content rejections (the worker splits the batch and
 * dead-letters a single record HEC refuses). The token is never logged or put in an error message.
 *
 * @example
 * ```ts
 * const sink = createHecSink(sinkConfig, token, 'ocsf');
 * await sink.send([ { index: 0, payload: sink.encode(formatted) } ], AbortSignal.timeout(30_000));
 * ```
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import type { HecSinkConfig } from '../config.js';
import { RejectedError, RetryableError, type EncodedRecord, type FormattedRecord, type Sink } from './types.js';

function collectorUrl(url: string): URL {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/services/collector/event';
  return u;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.min(seconds, 600)) * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.min(date - Date.now(), 600_000)) : undefined;
}

function hecCode(reply: string): number | undefined {
  try {
    const code = (JSON.parse(reply) as { code?: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    // A reply that is not JSON carries no HEC code: the HTTP status alone decides.
    return undefined;
  }
}

export function createHecSink(config: HecSinkConfig, token: string, hostName: string): Sink {
  const hec = config.hec;
  const url = collectorUrl(hec.url);
  const sourcetype = hec.sourcetype ?? `warden:${config.format}`;
  const tls = hec.tls;
  const agent = new Agent({
    connect: {
      timeout: Math.min(hec.requestTimeoutMs, 30_000),
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
      ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
      ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
      ...(tls.serverName ? { servername: tls.serverName } : {}),
    },
    keepAliveTimeout: 10_000,
  });
  const authorization = `Splunk ${token}`;

  return {
    encode(record: FormattedRecord): string {
      return JSON.stringify({
        time: record.time / 1000,
        host: hec.host ?? hostName,
        source: hec.source,
        sourcetype,
        ...(hec.index ? { index: hec.index } : {}),
        event: record.body,
        fields: { warden_log_index: record.index, warden_leaf_hash: record.leafHash },
      });
    },

    async send(batch: readonly EncodedRecord[], signal: AbortSignal): Promise<void> {
      const text = batch.map((r) => r.payload).join('\n');
      const body = hec.gzip ? gzipSync(text) : text;
      let response;
      try {
        response = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            authorization,
            'content-type': 'application/json',
            ...(hec.gzip ? { 'content-encoding': 'gzip' } : {}),
          },
          body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(hec.requestTimeoutMs)]),
          headersTimeout: hec.requestTimeoutMs,
          bodyTimeout: hec.requestTimeoutMs,
        });
      } catch (error) {
        throw new RetryableError(`hec request to ${url.host} failed`, undefined, { cause: error });
      }
      let reply = '';
      try {
        reply = (await response.body.text()).slice(0, 500);
      } catch (error) {
        throw new RetryableError(`hec response from ${url.host} was cut`, undefined, { cause: error });
      }
      const status = response.statusCode;
      if (status === 200) return;
      const detail = `hec answered ${status}${reply ? ` ${reply.replace(/\s+/g, ' ')}` : ''}`;
      // 413: too large; 400 with HEC code 6: invalid data format. Other 400s (wrong index, code 7...) are
      // configuration faults that block the sink, visible in status, rather than losing records.
      if (status === 413 || (status === 400 && hecCode(reply) === 6)) throw new RejectedError(detail);
      throw new RetryableError(detail, retryAfterMs(response.headers['retry-after']));
    },

    async close(): Promise<void> {
      await agent.close().catch(() => undefined);
    },
  };
}
