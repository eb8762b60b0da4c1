/**
 * The MCP endpoint `/mcp/<server>` (Streamable HTTP transport): authenticate the agent with a Warden
 * credential (a 401 names the protected resource metadata, RFC 9728), check the body as strict JSON-RPC,
 * bind MCP sessions to the principal that opened them, admit each message (Cedar, pins), relay what was
 * admitted with Warden's own credential, and treat the answers before the agent sees them. Answers are
 * JSON (`application/json`), or an event stream when the agent accepts one and the server reports progress
 * on a request (the progress first, as it arrives, then the answer).
 */
import type { ServerResponse } from 'node:http';
import { WardenError } from '../core/index.js';
import { type Exchange, checkJsonMediaType, header, readBody, sendJson, type Pipeline } from '../gateway/index.js';
import { credentialAllows } from '../identity/index.js';
import type { McpConfig } from './config.js';
import { RELAYED_METHODS, RPC, RpcFailure, isRequest, parseRpcBody, rpcError, type RpcMessage, type RpcResponse } from './jsonrpc.js';
import { admit, treat, type Admitted, type MessageContext } from './messages.js';
import type { PinRegistry } from './pins/registry.js';
import { SESSION_ID } from './server-client.js';
import { idKey, type McpUpstream } from './upstream.js';
import { SessionHistory } from './session.js';
import type { SessionBindings } from './session-bindings.js';
import { resourceMetadataUrl } from './metadata.js';

export interface McpHandlerDeps {
  pipeline: Pipeline;
  config: McpConfig;
  clients: ReadonlyMap<string, McpUpstream>;
  pins: PinRegistry;
  sessions: SessionHistory;
  bindings: SessionBindings;
  maxBodyBytes: number;
  publishFindings(ex: Exchange, server: string, findings: { kind: string; type: string; path: string; action: string; reasons: string[] }[]): void;
}

export async function handleMcp(deps: McpHandlerDeps, ex: Exchange, res: ServerResponse, serverName: string): Promise<void> {
  ex.route = `mcp.${serverName}`;
  ex.action = 'mcp_connect';
  ex.resource = { type: 'Warden::McpServer', id: serverName };
  try {
    await deps.pipeline.authenticate(ex);
  } catch (error) {
    if (error instanceof WardenError && error.status === 401) {
      deps.pipeline.fail(ex, res, error, { 'www-authenticate': `Bearer realm="warden", resource_metadata="${resourceMetadataUrl(ex.req, serverName)}"` });
      return;
    }
    throw error;
  }
  const client = deps.clients.get(serverName);
  if (!client) throw new WardenError('not_found', `no MCP server named \`${serverName.slice(0, 64)}\``);
  const identity = ex.identity!;
  if (!credentialAllows(identity, { kind: 'mcp', server: serverName })) throw new WardenError('insufficient_scope', `the API key lacks the scope \`mcp:${serverName}\``, { details: { scope: `mcp:${serverName}` } });
  const principalKey = SessionHistory.keyOf(identity);
  const sessionId = header(ex.req, 'mcp-session-id');
  if (sessionId !== undefined && (!SESSION_ID.test(sessionId) || !(await deps.bindings.owns(sessionId, serverName, principalKey)))) {
    // Unknown, or opened by someone else: the same answer, so a session id cannot be probed.
    throw new WardenError('mcp_session_unknown');
  }
  const protocolVersion = header(ex.req, 'mcp-protocol-version')?.slice(0, 64);
  if (ex.method === 'DELETE') {
    if (!sessionId) throw new WardenError('bad_request', 'DELETE needs the `mcp-session-id` header');
    ex.action = 'mcp_end_session';
    ex.outcome = 'allow';
    await deps.bindings.forget(sessionId);
    await client.endSession(sessionId, protocolVersion).catch(() => undefined);
    ex.status = 204;
    res.writeHead(204, { 'x-request-id': ex.requestId });
    res.end();
    return;
  }
  if (ex.method !== 'POST') {
    // No server-to-client stream through Warden (the transport allows a server to refuse it with 405).
    deps.pipeline.fail(ex, res, new WardenError('method_not_allowed', 'the MCP endpoint takes POST (messages) and DELETE (end a session)'), { allow: 'POST, DELETE' });
    return;
  }
  checkJsonMediaType(header(ex.req, 'content-type'));
  const body = await readBody(ex.req, deps.maxBodyBytes);
  ex.usage.requestBytes = body.length;
  let messages: RpcMessage[];
  let batch: boolean;
  try {
    ({ messages, batch } = parseRpcBody(body, deps.config.maxBatch));
  } catch (error) {
    if (!(error instanceof RpcFailure)) throw error;
    ex.errorCode = 'mcp_invalid_message';
    ex.status = 400;
    sendJson(res, 400, rpcError(null, error.rpcCode, error.message, { code: 'mcp_invalid_message', ...error.data }), { 'x-request-id': ex.requestId });
    return;
  }
  ex.outcome = 'allow';
  if (messages.length === 1) ex.action = `mcp:${messages[0]!.method}`.slice(0, 64);
  else ex.action = 'mcp_batch';
  const ctx: MessageContext = {
    pipeline: deps.pipeline,
    pins: deps.pins,
    sessions: deps.sessions,
    server: client.config,
    maxArgumentBytes: deps.config.maxArgumentBytes,
    ex,
    batch,
    sessionKey: principalKey,
    sessionId: sessionId ?? 'none',
    needsApproval: (ids) => ids.length > 0 && ids.every((id) => deps.pipeline.deps.pdp.compiled?.annotations.get(id)?.approval !== undefined),
  };
  const answers = new Map<string, RpcResponse>();
  const admitted: Admitted[] = [];
  const forward: RpcMessage[] = [];
  const subExchanges: Exchange[] = [];
  for (const message of messages) {
    if (!RELAYED_METHODS.has(message.method)) {
      if (isRequest(message)) answers.set(idKey(message.id), rpcError(message.id, RPC.methodNotFound, `method \`${message.method.slice(0, 64)}\` is not relayed by Warden`));
      continue;
    }
    if (!isRequest(message)) {
      forward.push(message);
      continue;
    }
    try {
      const a = admit(ctx, message);
      admitted.push(a);
      forward.push(message);
      if (a.ex && a.ex !== ex) subExchanges.push(a.ex);
    } catch (error) {
      if (!(error instanceof RpcFailure)) throw error;
      answers.set(idKey(message.id), rpcError(message.id, error.rpcCode, error.message, error.data));
      if (!batch) ex.errorCode ??= codeOf(error.rpcCode);
    }
  }
  const newSession = forward.length > 0 ? await relay(deps, ctx, client, forward, admitted, answers, { ...(sessionId ? { sessionId } : {}), ...(protocolVersion ? { protocolVersion } : {}) }, res) : undefined;
  for (const sub of subExchanges) {
    sub.status = 200;
    deps.pipeline.record(sub);
  }
  // Each call's decision event is durable before the agent learns the call's outcome.
  await Promise.all(subExchanges.map((s) => s.durable));
  const requests = messages.filter(isRequest);
  ex.status = requests.length ? 200 : 202;
  if (requests.length === 0) {
    res.writeHead(202, { 'x-request-id': ex.requestId });
    res.end();
    return;
  }
  const out = requests.map((m) => answers.get(idKey(m.id)) ?? rpcError(m.id, RPC.upstreamInvalid, `server \`${serverName}\` did not answer this request`, { code: 'upstream_invalid_answer' }));
  ex.usage.responseBytes = 0;
  if (res.headersSent) {
    // Progress was streamed: the answer is the stream's last event.
    res.end(`event: message\ndata: ${JSON.stringify(batch ? out : out[0])}\n\n`);
    return;
  }
  const headers: Record<string, string> = { 'x-request-id': ex.requestId };
  if (newSession) headers['mcp-session-id'] = newSession;
  sendJson(res, 200, batch ? out : out[0], headers);
}

/** Progress notifications go to an agent that accepts an event stream, as they arrive; others get the answer only. */
function progressSink(ex: Exchange, res: ServerResponse): ((n: RpcMessage) => void) | undefined {
  if (!(header(ex.req, 'accept') ?? '').toLowerCase().includes('text/event-stream')) return undefined;
  return (notification) => {
    if (res.writableEnded || res.destroyed) return;
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-request-id': ex.requestId });
    res.write(`event: message\ndata: ${JSON.stringify(notification)}\n\n`);
  };
}

async function relay(deps: McpHandlerDeps, ctx: MessageContext, client: McpUpstream, forward: RpcMessage[], admitted: Admitted[], answers: Map<string, RpcResponse>, headers: { sessionId?: string; protocolVersion?: string }, res: ServerResponse): Promise<string | undefined> {
  const { ex } = ctx;
  // One signal for both ends: the agent went away, or the server's time ran out (one timer, cleared at the end).
  const abort = new AbortController();
  const timeout = { aborted: false };
  const onClose = (): void => {
    if (!res.writableFinished) abort.abort();
  };
  res.on('close', onClose);
  const timer = setTimeout(() => {
    timeout.aborted = true;
    abort.abort();
  }, client.config.timeoutMs);
  const t0 = performance.now();
  try {
    const onProgress = progressSink(ex, res);
    const answer = await client.post(forward, headers, abort.signal, onProgress);
    ex.latency.upstream = Math.round((performance.now() - t0) * 1000) / 1000;
    const opened = answer.sessionId && !headers.sessionId && forward.some((m) => m.method === 'initialize') ? answer.sessionId : undefined;
    if (opened) await deps.bindings.bind(opened, client.name, ctx.sessionKey);
    for (const a of admitted) {
      const response = answer.responses.get(idKey(a.request.id));
      if (!response) continue;
      try {
        const treated = await treat(ctx, a, response);
        answers.set(idKey(a.request.id), treated.response);
        if (treated.findings.length) deps.publishFindings(a.ex ?? ex, client.name, treated.findings);
      } catch (error) {
        if (!(error instanceof RpcFailure)) throw error;
        answers.set(idKey(a.request.id), rpcError(a.request.id, error.rpcCode, error.message, error.data));
      }
    }
    return opened;
  } catch (error) {
    if (!(error instanceof RpcFailure) && !timeout.aborted) throw error;
    const failure = error instanceof RpcFailure && !timeout.aborted ? error : new RpcFailure(RPC.upstreamTimeout, `server \`${client.name}\` did not answer within ${client.config.timeoutMs} ms`);
    ex.errorCode = codeOf(failure.rpcCode);
    for (const a of admitted) {
      answers.set(idKey(a.request.id), rpcError(a.request.id, failure.rpcCode, failure.message, { code: codeOf(failure.rpcCode), ...failure.data }));
      if (a.ex) a.ex.errorCode = codeOf(failure.rpcCode);
    }
    return undefined;
  } finally {
    clearTimeout(timer);
    res.off('close', onClose);
  }
}

function codeOf(rpcCode: number): string {
  switch (rpcCode) {
    case RPC.upstreamTimeout:
      return 'upstream_timeout';
    case RPC.upstreamInvalid:
      return 'upstream_invalid_answer';
    case RPC.upstreamUnavailable:
      return 'upstream_unavailable';
    case RPC.quarantined:
      return 'mcp_tool_quarantined';
    case RPC.approvalRequired:
      return 'mcp_approval_required';
    case RPC.denied:
      return 'forbidden';
    default:
      return 'mcp_invalid_message';
  }
}
