/**
 * Per message of a POST: before it goes to the server (check the parameters, find the pinned tool, ask
 * Cedar) and after the server answered (filter lists to what the caller may use, pin new definitions,
 * scan results, remember what entered the session). Each decided operation is its own exchange, so it
 * ends in its own decision event (the risk engine learns each agent's tools from them).
 */
import { z } from 'zod';
import { Exchange, type Pipeline } from '../gateway/index.js';
import type { McpServerConfig } from './config.js';
import { decideMcp, type McpOperation } from './decide.js';
import { RPC, RpcFailure, rpcError, type RpcRequest, type RpcResponse } from './jsonrpc.js';
import { hintsOf, toolDefinitionSchema, type ToolDefinition } from './pins/definition.js';
import type { PinRegistry } from './pins/registry.js';
import { scanResult, type ResultFinding } from './results.js';
import type { SessionHistory, SessionSummary } from './session.js';

const callParams = z.object({ name: z.string().min(1).max(128), arguments: z.record(z.string(), z.unknown()).optional(), _meta: z.unknown().optional() });
const readParams = z.object({ uri: z.string().min(1).max(4096), _meta: z.unknown().optional() });
const promptParams = z.object({ name: z.string().min(1).max(128), arguments: z.record(z.string(), z.string().max(65_536)).optional(), _meta: z.unknown().optional() });

export interface MessageContext {
  pipeline: Pipeline;
  pins: PinRegistry;
  sessions: SessionHistory;
  server: McpServerConfig;
  maxArgumentBytes: number;
  /** The HTTP exchange; a lone decided message uses it, a batch gets one exchange per decided message. */
  ex: Exchange;
  batch: boolean;
  sessionKey: string;
  sessionId: string;
  /** Whether the policies that denied all ask for a person's approval (`@approval("person")`). */
  needsApproval(policyIds: string[]): boolean;
}

/** A request that passed its checks, with what is needed to treat its answer. */
export interface Admitted {
  request: RpcRequest;
  ex?: Exchange;
  op?: McpOperation;
}

function paramsOf<T>(schema: z.ZodType<T>, request: RpcRequest): T {
  const parsed = schema.safeParse(request.params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RpcFailure(RPC.invalidParams, `invalid params${issue.path.length ? ` at \`${issue.path.join('.')}\`` : ''}: ${issue.message}`);
  }
  return parsed.data;
}

function exchangeFor(ctx: MessageContext): Exchange {
  if (!ctx.batch) return ctx.ex;
  const ex = new Exchange(ctx.ex.req, ctx.ex.sourceIp);
  ex.identity = ctx.ex.identity;
  ex.route = ctx.ex.route;
  return ex;
}

/** Checks one request and decides it; throws RpcFailure (with the exchange recorded) when it may not go on. */
export function admit(ctx: MessageContext, request: RpcRequest): Admitted {
  const op = operationOf(ctx, request);
  if (!op) return { request };
  const ex = exchangeFor(ctx);
  const argumentBytes = op.action === 'read_resource' ? 0 : Buffer.byteLength(JSON.stringify(op.arguments));
  ex.usage.requestBytes = argumentBytes;
  const result = decideMcp(ctx.pipeline, ex, op, summaryOf(ctx), argumentBytes);
  if (result.outcome === 'allow') return { request, ex, op };
  ex.status = 403;
  const data = { decisionId: ex.decisionId, policyIds: result.policyIds };
  if (result.missingScope !== undefined) return refuse(ctx, ex, 'insufficient_scope', RPC.denied, `the API key lacks the scope \`${result.missingScope}\``, data);
  if (result.outcome === 'step_up') {
    // The gateway's step-up (Pipeline.enforce): the person verifies a factor at the URL, then the call is retried.
    const stepUpUrl = ctx.pipeline.openStepUp(ex);
    if (!stepUpUrl) return refuse(ctx, ex, 'step_up_required', RPC.denied, 'stronger authentication is required for this call', { ...data, stepUp: true });
    return refuse(ctx, ex, 'step_up_required', RPC.denied, 'stronger authentication is required for this call: the person verifies a factor at data.stepUpUrl, then retry', { ...data, stepUp: true, stepUpUrl });
  }
  if (ctx.needsApproval(result.policyIds)) {
    // A person's approval is the step-up flow: verifying a factor at the URL elevates the credential this
    // call used for the bounded elevation window, and the approving policies make way for fresh MFA.
    const approvalUrl = ctx.pipeline.openStepUp(ex);
    if (!approvalUrl) return refuse(ctx, ex, 'mcp_approval_required', RPC.approvalRequired, "this call needs a person's approval (see data.policyIds); step-up is not configured (`mfa.enabled`), so it is refused", { ...data, approvalRequired: true });
    return refuse(ctx, ex, 'mcp_approval_required', RPC.approvalRequired, "this call needs a person's approval (see data.policyIds): a person must approve it by verifying a factor at data.approvalUrl, then retry", { ...data, approvalRequired: true, approvalUrl });
  }
  return refuse(ctx, ex, 'forbidden', RPC.denied, 'denied by policy', data);
}

function refuse(ctx: MessageContext, ex: Exchange, code: string, rpcCode: number, message: string, data: Record<string, unknown>): never {
  ex.errorCode = code;
  if (ex !== ctx.ex) ctx.pipeline.record(ex);
  throw new RpcFailure(rpcCode, message, data);
}

function summaryOf(ctx: MessageContext): SessionSummary {
  return ctx.sessions.summary(ctx.sessionKey, Date.now());
}

function operationOf(ctx: MessageContext, request: RpcRequest): McpOperation | undefined {
  const server = ctx.server.name;
  switch (request.method) {
    case 'tools/call': {
      const p = paramsOf(callParams, request);
      const args = p.arguments ?? {};
      if (Buffer.byteLength(JSON.stringify(args)) > ctx.maxArgumentBytes) throw new RpcFailure(RPC.invalidParams, `the arguments are larger than ${ctx.maxArgumentBytes} bytes`, { maxArgumentBytes: ctx.maxArgumentBytes });
      const tool = ctx.pins.currentTool(server, p.name);
      if (!tool) throw new RpcFailure(RPC.quarantined, `Warden has not seen the definition of tool \`${p.name}\` on \`${server}\`; list the tools first`, { code: 'mcp_tool_quarantined' });
      if (!tool.usable) throw new RpcFailure(RPC.quarantined, `the definition of tool \`${p.name}\` is ${tool.pin.status === 'rejected' ? 'rejected' : 'waiting for approval'} (pin ${tool.pin.id})`, { code: 'mcp_tool_quarantined', pinId: tool.pin.id });
      return { action: 'call_tool', server, name: p.name, hints: hintsOf(tool.pin.definition), arguments: args };
    }
    case 'resources/read':
      return { action: 'read_resource', server, uri: paramsOf(readParams, request).uri };
    case 'prompts/get': {
      const p = paramsOf(promptParams, request);
      return { action: 'get_prompt', server, name: p.name, arguments: p.arguments ?? {} };
    }
    default:
      return undefined;
  }
}

export interface Treated {
  response: RpcResponse;
  findings: ResultFinding[];
}

/** Treats the server's answer to an admitted request; what the agent gets back. */
export async function treat(ctx: MessageContext, admitted: Admitted, response: RpcResponse): Promise<Treated> {
  const { request, op } = admitted;
  if (response.error !== undefined) return { response, findings: [] };
  switch (request.method) {
    case 'tools/list':
      return { response: { ...response, result: await visibleTools(ctx, response.result) }, findings: [] };
    case 'resources/list':
      return { response: { ...response, result: filterList(ctx, response.result, 'resources', (r) => ({ action: 'read_resource', server: ctx.server.name, uri: String(r.uri) })) }, findings: [] };
    case 'prompts/list':
      return { response: { ...response, result: filterList(ctx, response.result, 'prompts', (p) => ({ action: 'get_prompt', server: ctx.server.name, name: String(p.name), arguments: {} })) }, findings: [] };
    default:
      break;
  }
  if (!op) return { response, findings: [] };
  const bytes = Buffer.byteLength(JSON.stringify(response.result ?? null));
  const scanned = scanResult(response.result, ctx.server.results);
  const injected = scanned.findings.some((f) => f.kind === 'injection');
  const openWorld = op.action === 'call_tool' ? op.hints.openWorld : true;
  ctx.sessions.record(ctx.sessionKey, { t: Date.now(), sessionId: ctx.sessionId, tool: op.action === 'call_tool' ? op.name : `${op.action}:${op.action === 'read_resource' ? op.uri : op.name}`, bytes, untrusted: openWorld || injected, openWorld });
  if (admitted.ex) admitted.ex.usage.responseBytes = bytes;
  if (scanned.blocked) {
    if (admitted.ex) admitted.ex.errorCode = 'mcp_result_blocked';
    return { response: rpcError(request.id, RPC.resultBlocked, `the result was blocked: ${scanned.blocked.kind === 'injection' ? 'it holds instructions aimed at an AI agent' : `it holds a ${scanned.blocked.type.toLowerCase()}`}`, { code: 'mcp_result_blocked', findings: scanned.findings.map((f) => ({ kind: f.kind, type: f.type, path: f.path })) }), findings: scanned.findings };
  }
  return { response: { ...response, result: scanned.result }, findings: scanned.findings };
}

async function visibleTools(ctx: MessageContext, result: unknown): Promise<unknown> {
  const r = asRecord(result);
  if (!r || !Array.isArray(r.tools)) throw new RpcFailure(RPC.upstreamInvalid, `server \`${ctx.server.name}\` answered tools/list without a tools array`);
  const definitions: ToolDefinition[] = [];
  for (const tool of r.tools as unknown[]) {
    const parsed = toolDefinitionSchema.safeParse(tool);
    // A malformed definition is not shown (and cannot be pinned or called).
    if (parsed.success) definitions.push(parsed.data);
  }
  const views = await ctx.pins.observe(ctx.server.name, definitions);
  const visible = views.filter((v) => v.usable && mayUse(ctx, { action: 'call_tool', server: ctx.server.name, name: v.pin.tool, hints: hintsOf(v.pin.definition), arguments: {} }));
  return { ...r, tools: visible.map((v) => v.pin.definition) };
}

function filterList(ctx: MessageContext, result: unknown, key: 'resources' | 'prompts', opOf: (item: Record<string, unknown>) => McpOperation): unknown {
  const r = asRecord(result);
  if (!r || !Array.isArray(r[key])) throw new RpcFailure(RPC.upstreamInvalid, `server \`${ctx.server.name}\` answered ${key}/list without a ${key} array`);
  return { ...r, [key]: (r[key] as unknown[]).filter((item) => { const i = asRecord(item); return i !== undefined && mayUse(ctx, opOf(i)); }) };
}

/** A decision for listing only: a scratch exchange, not recorded (the call itself is decided again). */
function mayUse(ctx: MessageContext, op: McpOperation): boolean {
  const scratch = new Exchange(ctx.ex.req, ctx.ex.sourceIp);
  scratch.identity = ctx.ex.identity;
  scratch.route = ctx.ex.route;
  scratch.claimRecord();
  return decideMcp(ctx.pipeline, scratch, op, summaryOf(ctx), 0).outcome === 'allow';
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
