/** Test doubles for the exporter: an in-memory audit log, sample events, and real local receivers. */
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createSocket } from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AuditReader, AuditRecord } from '../../src/audit/index.js';
import type { WardenEvent } from '../../src/core/events.js';

export class MemoryReader implements AuditReader {
  readonly records: AuditRecord[] = [];
  private readonly listeners = new Set<(size: number) => void>();

  append(events: WardenEvent[]): void {
    for (const event of events) {
      const leafHash = createHash('sha256').update(Buffer.from([0])).update(JSON.stringify(event)).digest('hex');
      this.records.push({ index: this.records.length, leafHash, event });
    }
    for (const l of this.listeners) l(this.records.length);
  }
  size(): number {
    return this.records.length;
  }
  read(fromIndex: number, limit: number): AuditRecord[] {
    return this.records.slice(fromIndex, fromIndex + limit);
  }
  onAppend(listener: (newSize: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const T0 = Date.parse('2026-11-21T09:00:00.000Z');

/** A deterministic event of every type in turn (i mod 9). */
export function sampleEvent(i: number): WardenEvent {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const time = new Date(T0 + i * 1000).toISOString();
  const alice = { type: 'Warden::User', id: 'alice', groups: ['eng'] };
  switch (i % 9) {
    case 0:
      return { id, time, type: 'authentication', method: 'jwt', outcome: 'success', principal: alice, sourceIp: '203.0.113.7', mfa: true, credentialId: 'jti-1', origin: { system: 'okta', country: 'FR' } };
    case 1:
      return { id, time, type: 'authentication', method: 'apikey', outcome: 'failure', sourceIp: '198.51.100.2', reason: 'invalid_api_key', userAgent: 'curl/8 | x=y' };
    case 2:
      return {
        id, time, type: 'decision', requestId: `req-${i}`, decisionId: `dec-${i}`, principal: alice, action: 'Warden::Action::"invoke"', resource: { type: 'Warden::Model', id: 'gpt-x' },
        route: 'chat', method: 'POST', path: '/v1/chat/completions', sourceIp: '203.0.113.7', outcome: i % 2 ? 'deny' : 'allow', enforced: true, policyIds: ['p1', 'p2'], status: 200,
        usage: { requestBytes: 120, responseBytes: 900 }, latencyMs: { total: 12.5 }, userAgent: 'sdk/1.0',
      };
    case 3:
      return { id, time, type: 'detection', detector: 'guard.injection', category: 'prompt_injection', entity: { type: 'Warden::User', id: 'bob' }, score: 0.93, severity: 'high', explanation: 'ignore previous instructions\nseen', requestId: `req-${i}`, details: { rule: 'r7' } };
    case 4:
      return { id, time, type: 'asset', assetId: 'models/llama/model.safetensors', change: i % 2 ? 'tampered' : 'verified', actor: { type: 'Warden::Service', id: 'integrity' }, details: { sha256: 'a'.repeat(64) } };
    case 5:
      return { id, time, type: 'admin', actor: { type: 'Warden::User', id: 'root' }, operation: 'principal.roles.set', target: 'carol', outcome: 'success', details: { roles: ['admin', 'auditor'] } };
    case 6:
      return { id, time, type: 'admin', actor: { type: 'Warden::User', id: 'root' }, operation: 'policy.activate', target: 'v12', outcome: 'success' };
    case 7:
      return { id, time, type: 'risk', principal: { type: 'Warden::User', id: 'bob' }, previous: 20, score: 75, threshold: 70, factors: [{ name: 'impossible_travel', weight: 40 }] };
    default:
      return i % 2
        ? { id, time, type: 'response', action: 'incident.create', target: { type: 'Warden::User', id: 'bob' }, reason: 'risk over 70', details: { detections: ['d-1'] } }
        : { id, time, type: 'response', action: 'revoke_sessions', target: { type: 'Warden::User', id: 'bob' }, reason: 'risk over 70' };
  }
}

export function sampleEvents(from: number, count: number): WardenEvent[] {
  return Array.from({ length: count }, (_, k) => sampleEvent(from + k));
}

export function tempDir(prefix = 'warden-export-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls until `predicate` holds; generous deadline (loaded machines), fails with `what`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Positions received, de-duplicated; asserts-friendly summary of order and gaps. */
export function dedupe(positions: number[]): { unique: number[]; duplicates: number; outOfOrder: number } {
  const seen = new Set<number>();
  const unique: number[] = [];
  let outOfOrder = 0;
  let last = -1;
  for (const p of positions) {
    if (seen.has(p)) continue;
    if (p < last) outOfOrder++;
    seen.add(p);
    unique.push(p);
    last = p;
  }
  return { unique, duplicates: positions.length - unique.length, outOfOrder };
}

// ---------------------------------------------------------------- Splunk HEC receiver

export interface HecReceiver {
  url: string;
  /** Every event envelope accepted (200), in arrival order. */
  events: Record<string, unknown>[];
  requests: number;
  /** Mode for the next requests: accept, answer 503, or drop the connection without answering. */
  mode: 'ok' | '503' | 'drop';
  tokensSeen: Set<string>;
  /** Log positions this receiver refuses as malformed (HEC code 6). */
  poison: Set<number>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Parses concatenated JSON objects, as HEC accepts them. */
export function parseConcatenated(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) if (line.trim()) out.push(JSON.parse(line) as Record<string, unknown>);
  return out;
}

export async function startHecReceiver(token: string, tls?: { key: Buffer; cert: Buffer }): Promise<HecReceiver> {
  const receiver: HecReceiver = { url: '', events: [], requests: 0, mode: 'ok', tokensSeen: new Set(), poison: new Set(), close: async () => undefined };
  const handler: RequestListener = async (req, res) => {
    receiver.requests++;
    const raw = await readBody(req);
    receiver.tokensSeen.add(String(req.headers.authorization));
    if (receiver.mode === 'drop') {
      req.socket.destroy();
      return;
    }
    if (receiver.mode === '503') {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end('{"text":"Server is busy","code":9}');
      return;
    }
    if (req.headers.authorization !== `Splunk ${token}`) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"text":"Invalid token","code":4}');
      return;
    }
    const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    let events: Record<string, unknown>[];
    try {
      events = parseConcatenated(text);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"text":"Invalid data format","code":6}');
      return;
    }
    if (events.some((e) => receiver.poison.has((e.fields as { warden_log_index: number }).warden_log_index))) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"text":"Invalid data format","code":6}');
      return;
    }
    receiver.events.push(...events);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
  };
  const server: HttpServer = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  receiver.url = `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

// ---------------------------------------------------------------- syslog receivers

export interface SyslogReceiver {
  port: number;
  messages: string[];
  close(): Promise<void>;
  /** Drops every open connection (the listener stays up). */
  dropConnections(): void;
}

/** Splits an RFC 6587 stream (octet counting or newline framing) into messages. */
export class SyslogFramer {
  private buffer = Buffer.alloc(0);
  constructor(
    private readonly framing: 'octet-counting' | 'newline',
    private readonly onMessage: (m: string) => void,
  ) {}
  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.framing === 'newline') {
        const nl = this.buffer.indexOf(10);
        if (nl < 0) return;
        this.onMessage(this.buffer.subarray(0, nl).toString('utf8'));
        this.buffer = this.buffer.subarray(nl + 1);
        continue;
      }
      const sp = this.buffer.indexOf(32);
      if (sp < 0) return;
      const len = Number(this.buffer.subarray(0, sp).toString('ascii'));
      if (!Number.isInteger(len) || len <= 0) throw new Error(`bad octet count at ${this.buffer.subarray(0, 20).toString()}`);
      if (this.buffer.length < sp + 1 + len) return;
      this.onMessage(this.buffer.subarray(sp + 1, sp + 1 + len).toString('utf8'));
      this.buffer = this.buffer.subarray(sp + 1 + len);
    }
  }
}

export async function startTcpReceiver(framing: 'octet-counting' | 'newline', tls?: { key: Buffer; cert: Buffer }, port = 0): Promise<SyslogReceiver> {
  const messages: string[] = [];
  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket): void => {
    sockets.add(socket);
    const framer = new SyslogFramer(framing, (m) => messages.push(m));
    socket.on('data', (chunk: Buffer) => framer.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };
  const server: NetServer = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, onConnection) : createNetServer(onConnection);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    messages,
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function startUdpReceiver(): Promise<SyslogReceiver> {
  const messages: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    messages,
    dropConnections: () => undefined,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Whether the `openssl` CLI is available (the TLS tests skip with a message when it is not). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI. */
export function selfSignedCert(dir: string): { key: Buffer; cert: Buffer; certFile: string } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile };
}

/** The log position carried by a syslog message (CEF `cn1=` or JSON `log_index` / `sequence`). */
export function positionOf(message: string): number {
  const cef = /\bcn1=(\d+)/.exec(message);
  if (cef) return Number(cef[1]);
  const json = /"(?:log_index|sequence)":(\d+)/.exec(message);
  if (json) return Number(json[1]);
  throw new Error(`no position in ${message.slice(0, 120)}`);
}
