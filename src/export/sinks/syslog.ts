/**
 * Syslog sink: RFC 5424 messages (`<PRI>1 TIMESTAMP HOST APP - MSGID - MSG`) whose MSG is a CEF line or
 * a JSON document, over UDP (one message per datagram), TCP or TLS (RFC 6587 octet counting `LEN SP MSG`,
 * or a trailing newline). MSGID is `warden`.
 *
 * TCP has no application acknowledgement, so written data stays in a replay window until the connection
 * has stayed up `settleMs` after the write (or closed cleanly). A dropped connection rewinds the worker
 * to the oldest unsettled position, and the persisted cursor never passes it: delivery stays
 * at-least-once, with duplicates that the SIEM removes by log position. UDP is fire-and-forget by nature:
 * a datagram the kernel accepted counts as delivered.
 *
 * @example
 * ```ts
 * const sink = createSyslogSink(config, os.hostname());
 * await sink.send([{ index: 0, payload: sink.encode(formatted) }], signal);
 * ```
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Severity } from '../../core/index.js';
import type { SyslogSinkConfig } from '../config.js';
import { RetryableError, type EncodedRecord, type FormattedRecord, type Sink } from './types.js';

const SYSLOG_SEVERITY: Record<Severity, number> = { info: 6, low: 5, medium: 4, high: 3, critical: 2 };

/** Octet-counting (`LEN SP MSG`) or newline framing of one message. */
export function frameSyslog(message: string, framing: 'octet-counting' | 'newline'): string {
  return framing === 'octet-counting' ? `${Buffer.byteLength(message)} ${message}` : `${message.replace(/\n/g, ' ')}\n`;
}

export function syslogHeader(config: SyslogSinkConfig['syslog'], hostName: string, severity: Severity, time: number): string {
  const pri = config.facility * 8 + SYSLOG_SEVERITY[severity];
  const host = (config.hostname ?? hostName).replace(/[^!-~]/g, '') || '-';
  return `<${pri}>1 ${new Date(time || Date.now()).toISOString()} ${host.slice(0, 255)} ${config.appName} - warden -`;
}

function udpSink(config: SyslogSinkConfig, encode: (r: FormattedRecord) => string): Sink {
  const s = config.syslog;
  let socket: UdpSocket | undefined;
  const open = (): UdpSocket => {
    if (socket) return socket;
    socket = createSocket(isIP(s.host) === 6 ? 'udp6' : 'udp4');
    socket.on('error', () => {
      socket?.close();
      socket = undefined;
    });
    socket.unref();
    return socket;
  };
  return {
    encode: (record) => {
      const message = encode(record);
      const bytes = Buffer.from(message);
      return bytes.length <= s.maxDatagramBytes ? message : bytes.subarray(0, s.maxDatagramBytes).toString('utf8');
    },
    async send(batch: readonly EncodedRecord[]): Promise<void> {
      const sock = open();
      // Datagrams leave in call order; waiting for all callbacks at once keeps the kernel queue full.
      await Promise.all(
        batch.map(
          (record) =>
            new Promise<void>((resolve, reject) => {
              sock.send(record.payload, s.port, s.host, (error) => (error ? reject(new RetryableError(`udp send to ${s.host}:${s.port} failed`, undefined, { cause: error })) : resolve()));
            }),
        ),
      );
    },
    async close(): Promise<void> {
      const sock = socket;
      socket = undefined;
      if (sock) await new Promise<void>((resolve) => sock.close(() => resolve()));
    },
  };
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (a stop must not wait for a connect timeout). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new RetryableError('stopped'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new RetryableError('stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

interface Written {
  first: number;
  at: number;
}

function streamSink(config: SyslogSinkConfig, encode: (r: FormattedRecord) => string): Sink {
  const s = config.syslog;
  const tlsOptions = s.tls;
  let socket: Socket | undefined;
  let connecting: Promise<Socket> | undefined;
  /** The socket being connected, so that close() can abandon it. */
  let pending: Socket | undefined;
  let window: Written[] = [];
  let rewind: number | undefined;

  /** The connection died: everything not settled must be sent again. */
  const lost = (sock: Socket): void => {
    if (socket !== sock) return;
    socket = undefined;
    if (window.length) rewind = Math.min(rewind ?? Infinity, window[0]!.first);
    window = [];
  };

  const settle = (): void => {
    if (!socket) return;
    const cutoff = Date.now() - s.settleMs;
    while (window.length && window[0]!.at <= cutoff) window.shift();
  };

  const open = (): Promise<Socket> => {
    if (socket) return Promise.resolve(socket);
    if (connecting) return connecting;
    connecting = new Promise<Socket>((resolve, reject) => {
      const sock =
        s.protocol === 'tls'
          ? tlsConnect({
              host: s.host,
              port: s.port,
              servername: tlsOptions.serverName ?? (isIP(s.host) ? undefined : s.host),
              rejectUnauthorized: tlsOptions.rejectUnauthorized,
              ...(tlsOptions.caFile ? { ca: readFileSync(tlsOptions.caFile) } : {}),
              ...(tlsOptions.certFile ? { cert: readFileSync(tlsOptions.certFile) } : {}),
              ...(tlsOptions.keyFile ? { key: readFileSync(tlsOptions.keyFile) } : {}),
            })
          : netConnect({ host: s.host, port: s.port });
      pending = sock;
      const timer = setTimeout(() => sock.destroy(new Error('connect timeout')), s.connectTimeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        pending = undefined;
        reject(new RetryableError(`${s.protocol} connect to ${s.host}:${s.port} failed`, undefined, { cause: error }));
      };
      sock.once('error', fail);
      sock.once(s.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        pending = undefined;
        sock.off('error', fail);
        sock.setNoDelay(true);
        sock.setKeepAlive(true, 30_000);
        sock.on('error', () => lost(sock));
        sock.on('close', () => lost(sock));
        sock.on('end', () => {
          lost(sock);
          sock.destroy();
        });
        // Receivers do not talk back; drain anything they send so the socket never stalls.
        sock.on('data', () => undefined);
        socket = sock;
        resolve(sock);
      });
    }).finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  return {
    encode: (record) => frameSyslog(encode(record), s.framing),

    async send(batch: readonly EncodedRecord[], signal: AbortSignal): Promise<void> {
      if (batch.length === 0) return;
      const sock = await abortable(open(), signal);
      const data = batch.length === 1 ? batch[0]!.payload : batch.map((r) => r.payload).join('');
      await new Promise<void>((resolve, reject) => {
        sock.write(data, (error) => {
          if (error) {
            lost(sock);
            sock.destroy();
            reject(new RetryableError(`${s.protocol} write to ${s.host}:${s.port} failed`, undefined, { cause: error }));
          } else resolve();
        });
      });
      if (socket !== sock) throw new RetryableError(`${s.protocol} connection to ${s.host}:${s.port} dropped`);
      window.push({ first: batch[0]!.index, at: Date.now() });
    },

    unconfirmedFrom(): number | undefined {
      settle();
      const oldest = window[0]?.first;
      if (rewind === undefined) return oldest;
      return oldest === undefined ? rewind : Math.min(rewind, oldest);
    },

    takeRewind(): number | undefined {
      const r = rewind;
      rewind = undefined;
      return r;
    },

    async close(): Promise<void> {
      pending?.destroy(new Error('closed'));
      const sock = socket;
      if (!sock) return;
      // A clean close (our FIN, the receiver's close) settles the window; a failure rewinds it.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          sock.destroy();
          resolve();
        }, 5000);
        sock.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        sock.end(() => {
          if (socket === sock) window = [];
        });
      });
      socket = undefined;
    },
  };
}

export function createSyslogSink(config: SyslogSinkConfig, hostName: string): Sink {
  const message = (record: FormattedRecord): string => {
    const body = typeof record.body === 'string' ? record.body : JSON.stringify(record.body);
    return `${syslogHeader(config.syslog, hostName, record.severity, record.time)} ${body}`;
  };
  return config.syslog.protocol === 'udp' ? udpSink(config, message) : streamSink(config, message);
}
