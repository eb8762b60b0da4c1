/**
 * Warden's connection to one MCP server (Streamable HTTP): it posts the checked messages with Warden's
 * own credential (never the agent's), waits at most the server's timeout, reads at most its byte limit,
 * and reads the answer as JSON or as an event stream. What comes back is parsed as strictly as what an
 * agent sends; a server that hangs or answers garbage becomes an error for each request, never a relay.
 *
 * An event stream is read as it arrives: a server-to-client request on it (sampling, elicitation) is
 * refused at once with a JSON-RPC error posted back, so the server does not wait for an answer that will
 * not come; `notifications/tools/list_changed` asks the gateway to list and pin the tools again; progress
 * for the request goes to the agent as numbers only; other notifications are not relayed.
 */
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { resolveSecret, parseJsonStrict } from '../core/index.js';
import type { McpServerConfig } from './config.js';
import { RPC, RpcFailure, asResponse, isRequest, type RpcMessage, type RpcResponse } from './jsonrpc.js';
import { idKey, progressFor, refuseServerRequest, type McpUpstream, type NotificationSink, type PostOptions, type ServerAnswer, type UpstreamHooks } from './upstream.js';

export { idKey } from './upstream.js';

/** A session id is visible ASCII (MCP transport rules); anything else from a server is refused. */
export const SESSION_ID = /^[\x21-\x7e]{1,256}$/;

export class McpServerClient implements McpUpstream {
  readonly name: string;
  private readonly pool: Pool;
  private readonly url: URL;
  private readonly credential: [string, string] | undefined;

  constructor(
    readonly config: McpServerConfig,
    keyPath: string,
    env: NodeJS.ProcessEnv,
    private readonly hooks?: UpstreamHooks,
  ) {
    this.name = config.name;
    this.url = new URL(config.url!);
    const secret = resolveSecret(config.apiKey, keyPath, env);
    const header = config.apiKeyHeader.toLowerCase();
    this.credential = secret ? [header, header === 'authorization' ? `Bearer ${secret}` : secret] : undefined;
    this.pool = new Pool(this.url.origin, { connections: 64, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs, keepAliveTimeout: 30_000 });
  }

  /** Posts messages and collects the responses to its requests. */
  async post(messages: RpcMessage[], headers: PostOptions, signal?: AbortSignal, onProgress?: NotificationSink): Promise<ServerAnswer> {
    const body = JSON.stringify(messages.length === 1 ? messages[0] : messages);
    const response = await this.request('POST', headers, body, signal);
    const sessionId = response.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessionId : undefined;
    if (session !== undefined && !SESSION_ID.test(session)) {
      discard(response);
      throw new RpcFailure(RPC.upstreamInvalid, `server \`${this.name}\` sent an invalid session id`);
    }
    if (response.statusCode === 202 || response.statusCode === 204) {
      discard(response);
      return { status: response.statusCode, ...(session ? { sessionId: session } : {}), responses: new Map(), bytes: 0 };
    }
    if (response.statusCode === 404 && headers.sessionId) {
      discard(response);
      throw new RpcFailure(RPC.invalidRequest, 'the session has ended; initialize a new one', { sessionEnded: true });
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      discard(response);
      throw new RpcFailure(RPC.upstreamUnavailable, `server \`${this.name}\` answered HTTP ${response.statusCode}`, { upstreamStatus: response.statusCode });
    }
    const type = String(response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const responses = new Map<string, RpcResponse>();
    const take = (value: unknown): void => {
      for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
        const r = asResponse(v);
        if (r && r.id !== null) responses.set(idKey(r.id), r);
        else this.serverMessage(v, { ...headers, ...(session ? { sessionId: session } : {}) }, progressTokens(messages), onProgress);
      }
    };
    let bytes: number;
    if (type === 'text/event-stream') bytes = await this.readEventStream(response, take, signal);
    else if (type === 'application/json') {
      const body = await this.readBody(response, signal);
      take(parseStrictOrFail(body, this.name));
      bytes = body.length;
    } else {
      discard(response);
      failGarbage(this.name, `content type \`${type.slice(0, 60)}\``);
    }
    return { status: response.statusCode, ...(session ? { sessionId: session } : {}), responses, bytes };
  }

  /** A message from the server that is not a response: a server-to-client request or a notification. */
  private serverMessage(value: unknown, headers: PostOptions, tokens: Map<string, string | number>, onProgress: NotificationSink | undefined): void {
    const m = value as { id?: unknown; method?: unknown; params?: unknown };
    if (value === null || typeof value !== 'object' || typeof m.method !== 'string') return;
    const params = m.params !== null && typeof m.params === 'object' ? (m.params as Record<string, unknown>) : {};
    if (typeof m.id === 'string' || typeof m.id === 'number') {
      // Refused at once, so the server's tool does not wait for an answer that will not come.
      void this.request('POST', headers, JSON.stringify(refuseServerRequest(m.id, m.method))).then(discard, () => undefined);
    } else if (m.method === 'notifications/tools/list_changed') {
      this.hooks?.onToolsChanged(this.name);
    } else if (m.method === 'notifications/progress' && onProgress) {
      const token = params.progressToken;
      const mine = (typeof token === 'string' || typeof token === 'number') && tokens.has(idKey(token)) ? token : undefined;
      const notification = mine === undefined ? undefined : progressFor(mine, params);
      if (notification) onProgress(notification);
    }
  }

  /** Ends a session on the server (HTTP DELETE); failures are the server's business. */
  async endSession(sessionId: string, protocolVersion?: string): Promise<number> {
    const response = await this.request('DELETE', { sessionId, ...(protocolVersion ? { protocolVersion } : {}) });
    discard(response);
    return response.statusCode;
  }

  close(): Promise<void> {
    return this.pool.close().catch(() => undefined);
  }

  private async request(method: 'POST' | 'DELETE', headers: PostOptions, body?: string, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
    const outgoing: Record<string, string> = { accept: 'application/json, text/event-stream' };
    if (body !== undefined) outgoing['content-type'] = 'application/json';
    if (headers.sessionId) outgoing['mcp-session-id'] = headers.sessionId;
    if (headers.protocolVersion) outgoing['mcp-protocol-version'] = headers.protocolVersion;
    if (this.credential) outgoing[this.credential[0]] = this.credential[1];
    try {
      return await this.pool.request({ method, path: this.url.pathname + this.url.search, headers: outgoing, body: body ?? null, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw this.failure(error);
    }
  }

  private async readBody(response: Dispatcher.ResponseData, signal?: AbortSignal): Promise<Buffer> {
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.config.maxResponseBytes) {
      discard(response);
      throw new RpcFailure(RPC.upstreamInvalid, `server \`${this.name}\` answered more than ${this.config.maxResponseBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > this.config.maxResponseBytes) {
          discard(response);
          throw new RpcFailure(RPC.upstreamInvalid, `server \`${this.name}\` answered more than ${this.config.maxResponseBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
        signal?.throwIfAborted();
      }
    } catch (error) {
      throw this.failure(error);
    }
    return Buffer.concat(chunks);
  }

  /** Reads an event stream, handing each `message` event's JSON to `take` as soon as the event is complete. */
  private async readEventStream(response: Dispatcher.ResponseData, take: (value: unknown) => void, signal?: AbortSignal): Promise<number> {
    let size = 0;
    let buffered = '';
    const decoder = new TextDecoder('utf-8', { fatal: false });
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > this.config.maxResponseBytes) {
          discard(response);
          throw new RpcFailure(RPC.upstreamInvalid, `server \`${this.name}\` answered more than ${this.config.maxResponseBytes} bytes`);
        }
        buffered += decoder.decode(chunk as Buffer, { stream: true });
        const end = buffered.search(/\r?\n\r?\n(?![\s\S]*\r?\n\r?\n)/);
        if (end >= 0) {
          const complete = buffered.slice(0, end);
          buffered = buffered.slice(end).replace(/^\r?\n\r?\n/, '');
          for (const value of parseEventStream(Buffer.from(complete), this.name)) take(value);
        }
        signal?.throwIfAborted();
      }
    } catch (error) {
      throw this.failure(error);
    }
    buffered += decoder.decode();
    for (const value of parseEventStream(Buffer.from(buffered), this.name)) take(value);
    return size;
  }

  private failure(error: unknown): RpcFailure {
    if (error instanceof RpcFailure) return error;
    if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError || error instanceof undiciErrors.ConnectTimeoutError) {
      return new RpcFailure(RPC.upstreamTimeout, `server \`${this.name}\` did not answer within ${this.config.timeoutMs} ms`);
    }
    return new RpcFailure(RPC.upstreamUnavailable, `server \`${this.name}\` is unavailable`);
  }
}

/** The progress tokens an agent put on the requests being relayed, by key. */
function progressTokens(messages: RpcMessage[]): Map<string, string | number> {
  const tokens = new Map<string, string | number>();
  for (const m of messages) {
    const token = isRequest(m) ? (m.params?._meta as { progressToken?: unknown } | undefined)?.progressToken : undefined;
    if (typeof token === 'string' || typeof token === 'number') tokens.set(idKey(token), token);
  }
  return tokens;
}

function discard(response: Dispatcher.ResponseData): void {
  response.body.on('error', () => undefined);
  response.body.destroy();
}

function failGarbage(name: string, what: string): never {
  throw new RpcFailure(RPC.upstreamInvalid, `server \`${name}\` answered something that is not JSON-RPC (${what})`);
}

function parseStrictOrFail(bytes: Buffer, name: string): unknown {
  try {
    return parseJsonStrict(bytes);
  } catch {
    return failGarbage(name, 'invalid JSON');
  }
}

/** The JSON payloads of an event stream's `message` events (`data:` lines joined per event). */
export function parseEventStream(bytes: Buffer, name: string): unknown[] {
  const out: unknown[] = [];
  const text = bytes.toString('utf8');
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (event !== 'message' || data.length === 0) continue;
    out.push(parseStrictOrFail(Buffer.from(data.join('\n')), name));
  }
  return out;
}
