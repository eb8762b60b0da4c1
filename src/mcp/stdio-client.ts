/**
 * A local MCP server that Warden starts and talks to over its standard input and output (the official
 * SDK's StdioClientTransport). A stdio server has one client, so Warden is that client and agents' sessions
 * are Warden's own: `initialize` is answered from the server's answer to Warden's, each agent session gets
 * an id minted here, and request ids (and progress tokens) are renumbered so that agents sharing the child
 * cannot see or answer each other's messages.
 *
 * The child gets only its configured environment (secret references resolved) and the SDK's minimal set,
 * never Warden's; its standard error goes to the log, capped per minute. When it exits, the requests in
 * flight fail (`-32008`), and it is started again with exponential backoff; once it is back, its tools are
 * listed and pinned again, since a new process may serve new definitions.
 */
import { randomUUID } from 'node:crypto';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { resolveSecret, type Logger } from '../core/index.js';
import type { McpServerConfig, McpStdioConfig } from './config.js';
import { RPC, RpcFailure, asResponse, isRequest, type RpcMessage, type RpcNotification, type RpcResponse } from './jsonrpc.js';
import { idKey, progressFor, refuseServerRequest, type McpUpstream, type NotificationSink, type PostOptions, type ServerAnswer, type UpstreamHooks } from './upstream.js';

/** The protocol revision Warden asks for when it initializes the child. */
const PROTOCOL_VERSION = '2025-06-18';
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 30_000;
/** A child that ran this long before it died restarts from the shortest backoff again. */
const STABLE_MS = 60_000;
const MAX_SESSIONS = 100_000;
const MAX_STDERR_LINE = 2048;

interface Pending {
  resolve(response: RpcResponse): void;
  reject(failure: RpcFailure): void;
  onProgress: NotificationSink | undefined;
  progressToken: string | number | undefined;
}

export class StdioServerClient implements McpUpstream {
  readonly name: string;
  private readonly stdio: McpStdioConfig;
  private readonly env: Record<string, string>;
  private transport: StdioClientTransport | undefined;
  /** The start in progress or done; undefined while waiting to restart. */
  private starting: Promise<void> | undefined;
  private initResult: Record<string, unknown> = {};
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly sessions = new Set<string>();
  private failures = 0;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private stderrWindow = { start: 0, bytes: 0, dropped: 0 };

  constructor(
    readonly config: McpServerConfig,
    keyPath: string,
    env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
    private readonly hooks: UpstreamHooks,
  ) {
    this.name = config.name;
    this.stdio = config.stdio!;
    this.env = Object.fromEntries(Object.entries(this.stdio.env).map(([k, v]) => [k, resolveSecret(v, `${keyPath}.stdio.env.${k}`, env)]));
  }

  /** Starts the child and initializes it; rejects (and schedules a restart) when it cannot. */
  start(): Promise<void> {
    this.starting ??= this.spawn().catch((error: unknown) => {
      this.logger.warn({ server: this.name, reason: error instanceof Error ? error.message : 'unknown' }, 'MCP stdio server could not be started');
      this.scheduleRestart();
      throw new RpcFailure(RPC.upstreamUnavailable, `server \`${this.name}\` is unavailable`);
    });
    return this.starting;
  }

  async post(messages: RpcMessage[], headers: PostOptions, signal?: AbortSignal, onProgress?: NotificationSink): Promise<ServerAnswer> {
    if (!this.starting) throw new RpcFailure(RPC.upstreamUnavailable, `server \`${this.name}\` is restarting`);
    await this.start();
    if (headers.sessionId !== undefined && !this.sessions.has(headers.sessionId)) {
      throw new RpcFailure(RPC.invalidRequest, 'the session has ended; initialize a new one', { sessionEnded: true });
    }
    let sessionId: string | undefined;
    const waits: Promise<RpcResponse>[] = [];
    for (const message of messages) {
      if (message.method === 'notifications/initialized' || message.method === 'notifications/cancelled') continue;
      if (!isRequest(message)) {
        await this.send(message);
        continue;
      }
      if (message.method === 'initialize') {
        sessionId = randomUUID();
        this.sessions.add(sessionId);
        if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.values().next().value!);
        waits.push(Promise.resolve({ jsonrpc: '2.0', id: message.id, result: this.initResult }));
        continue;
      }
      waits.push(this.request(message, signal, onProgress));
    }
    const responses = new Map<string, RpcResponse>();
    let bytes = 0;
    for (const response of await Promise.all(waits)) {
      responses.set(idKey(response.id!), response);
      bytes += JSON.stringify(response).length;
    }
    return { status: responses.size ? 200 : 202, ...(sessionId ? { sessionId } : {}), responses, bytes };
  }

  endSession(sessionId: string): Promise<number> {
    return Promise.resolve(this.sessions.delete(sessionId) ? 204 : 404);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    const transport = this.transport;
    this.transport = undefined;
    await transport?.close().catch(() => undefined);
  }

  private async request(message: RpcMessage & { id: string | number }, signal: AbortSignal | undefined, onProgress: NotificationSink | undefined): Promise<RpcResponse> {
    const id = this.nextId++;
    const params = message.params ? { ...message.params } : undefined;
    // The agent's progress token is replaced by this request's own number, so tokens cannot collide.
    const meta = params?._meta as Record<string, unknown> | undefined;
    const token = meta && (typeof meta.progressToken === 'string' || typeof meta.progressToken === 'number') ? meta.progressToken : undefined;
    if (params && meta) params._meta = token === undefined ? meta : { ...meta, progressToken: id };
    const answer = new Promise<RpcResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, progressToken: token });
    });
    const abort = (): void => this.settle(id, undefined, new RpcFailure(RPC.upstreamUnavailable, `the request to server \`${this.name}\` was abandoned`));
    signal?.addEventListener('abort', abort, { once: true });
    try {
      if (signal?.aborted) abort();
      else await this.send({ jsonrpc: '2.0', id, method: message.method, ...(params ? { params } : {}) });
      const response = await answer;
      return { ...response, id: message.id };
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  private async send(message: RpcMessage | RpcResponse): Promise<void> {
    const transport = this.transport;
    if (!transport) throw new RpcFailure(RPC.upstreamUnavailable, `server \`${this.name}\` is restarting`);
    try {
      await transport.send(message as JSONRPCMessage);
    } catch {
      throw new RpcFailure(RPC.upstreamUnavailable, `server \`${this.name}\` is unavailable`);
    }
  }

  private settle(id: number, response: RpcResponse | undefined, failure?: RpcFailure): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (response) p.resolve(response);
    else p.reject(failure!);
  }

  private async spawn(): Promise<void> {
    const transport = new StdioClientTransport({
      command: this.stdio.command,
      args: this.stdio.args,
      env: this.env,
      ...(this.stdio.cwd ? { cwd: this.stdio.cwd } : {}),
      stderr: 'pipe',
      maxBufferSize: this.config.maxResponseBytes,
    });
    transport.stderr?.on('data', (chunk: Buffer) => this.logStderr(chunk));
    transport.onmessage = (message) => this.receive(transport, message as unknown);
    transport.onerror = (error) => this.logger.debug({ server: this.name, reason: error.message.slice(0, 200) }, 'MCP stdio server sent something that is not JSON-RPC');
    transport.onclose = () => this.exited(transport);
    await transport.start();
    this.transport = transport;
    this.startedAt = Date.now();
    const id = this.nextId++;
    const answer = new Promise<RpcResponse>((resolve, reject) => this.pending.set(id, { resolve, reject, onProgress: undefined, progressToken: undefined }));
    const timer = setTimeout(() => this.settle(id, undefined, new RpcFailure(RPC.upstreamTimeout, `server \`${this.name}\` did not answer initialize`)), this.config.timeoutMs);
    try {
      await this.send({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'warden', version: '1' } } });
      const init = await answer;
      if (init.error || init.result === null || typeof init.result !== 'object') throw new RpcFailure(RPC.upstreamInvalid, `server \`${this.name}\` refused initialize`);
      this.initResult = init.result as Record<string, unknown>;
      await this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    } catch (error) {
      this.transport = undefined;
      await transport.close().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    this.logger.info({ server: this.name, pid: transport.pid }, 'MCP stdio server started');
  }

  private receive(transport: StdioClientTransport, value: unknown): void {
    const message = value as { id?: unknown; method?: unknown; params?: unknown };
    if (typeof message.method === 'string') {
      const params = message.params !== null && typeof message.params === 'object' ? (message.params as Record<string, unknown>) : {};
      if (typeof message.id === 'string' || typeof message.id === 'number') {
        // A server-to-client request (sampling, elicitation, roots): refused at once, so the server does not wait.
        void transport.send(refuseServerRequest(message.id, message.method) as JSONRPCMessage).catch(() => undefined);
      } else if (message.method === 'notifications/tools/list_changed') {
        this.hooks.onToolsChanged(this.name);
      } else if (message.method === 'notifications/progress') {
        const p = typeof params.progressToken === 'number' ? this.pending.get(params.progressToken) : undefined;
        const notification: RpcNotification | undefined = p?.onProgress && p.progressToken !== undefined ? progressFor(p.progressToken, params) : undefined;
        if (notification) p!.onProgress!(notification);
      }
      return;
    }
    const response = asResponse(value);
    if (response && typeof response.id === 'number') this.settle(response.id, response);
  }

  private exited(transport: StdioClientTransport): void {
    if (this.transport !== transport && this.transport !== undefined) return;
    this.transport = undefined;
    for (const id of [...this.pending.keys()]) this.settle(id, undefined, new RpcFailure(RPC.upstreamUnavailable, `server \`${this.name}\` exited`));
    if (this.closed) return;
    this.logger.warn({ server: this.name, ranMs: Date.now() - this.startedAt }, 'MCP stdio server exited; it is started again');
    if (Date.now() - this.startedAt >= STABLE_MS) this.failures = 0;
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.closed || this.restartTimer) return;
    this.starting = undefined;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.failures++);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.start().then(
        () => this.hooks.onToolsChanged(this.name),
        () => undefined,
      );
    }, delay);
    this.restartTimer.unref();
  }

  private logStderr(chunk: Buffer): void {
    const now = Date.now();
    const w = this.stderrWindow;
    if (now - w.start >= 60_000) {
      if (w.dropped) this.logger.warn({ server: this.name, droppedBytes: w.dropped }, 'MCP stdio server wrote more to standard error than is logged');
      this.stderrWindow = { start: now, bytes: 0, dropped: 0 };
    }
    const budget = this.stdio.stderrBytesPerMinute - this.stderrWindow.bytes;
    const text = chunk.subarray(0, Math.max(0, budget)).toString('utf8');
    this.stderrWindow.bytes += Math.min(chunk.length, Math.max(0, budget));
    this.stderrWindow.dropped += Math.max(0, chunk.length - Math.max(0, budget));
    for (const line of text.split('\n')) {
      if (line.trim()) this.logger.info({ server: this.name, stderr: line.slice(0, MAX_STDERR_LINE) }, 'MCP stdio server');
    }
  }
}
