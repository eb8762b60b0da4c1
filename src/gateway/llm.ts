/**
 * OpenAI-compatible endpoints: chat completions, completions and embeddings are routed by model name to
 * the configured upstream, after authentication and a Cedar decision; `/v1/models` lists only the models
 * the caller may use. Streaming answers (SSE) are relayed chunk by chunk as they arrive.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { WardenError, stringifyStrict } from '../core/index.js';
import type { ModelConfig } from '../config/index.js';
import type { Exchange } from './exchange.js';
import { round } from './exchange.js';
import { header, parseJsonBody, readBody, sendJson } from './http.js';
import type { Pipeline } from './pipeline.js';
import { MAX_WHOLE_ANSWER, relayResponse } from './relay.js';
import { validateInput } from './validate.js';
import { obligationsOf } from './authorize.js';
import { inspectInput, prepareGuardedBody, publishFindings } from './input-guard.js';
import { answerFraming, answerRelay, type OutputGuardResult } from './output-guard.js';
import type { AnswerUsage } from './usage.js';
import { isUpstreamFailure, upstreamFailure } from './upstream-error.js';
import type { Guard } from '../guard/index.js';
import { discardBody, forwardableHeaders, upstreamPath, type Upstreams } from './upstream.js';
import type { Limiter } from '../limits/index.js';
import { admitLimits, chargeTokens, limitFacts } from './limit-gate.js';

export type LlmOperation = 'chat' | 'completion' | 'embedding';

const ENDPOINTS: Record<string, { operation: LlmOperation; action: string; suffix: string }> = {
  '/v1/chat/completions': { operation: 'chat', action: 'invoke', suffix: '/chat/completions' },
  '/v1/completions': { operation: 'completion', action: 'invoke', suffix: '/completions' },
  '/v1/embeddings': { operation: 'embedding', action: 'embed', suffix: '/embeddings' },
};

const modelField = z.string().min(1).max(200);
const BODY_SCHEMAS: Record<LlmOperation, z.ZodType<{ model: string; stream?: boolean | undefined }>> = {
  chat: z.looseObject({ model: modelField, stream: z.boolean().optional(), messages: z.array(z.unknown()).min(1).max(10_000) }),
  completion: z.looseObject({ model: modelField, stream: z.boolean().optional(), prompt: z.union([z.string(), z.array(z.unknown())]) }),
  embedding: z.looseObject({ model: modelField, stream: z.undefined().optional(), input: z.union([z.string(), z.array(z.unknown())]) }),
};

export interface LlmDeps {
  pipeline: Pipeline;
  /** Input and output inspection; absent when the guard is disabled. */
  guard?: Guard;
  upstreams: Upstreams;
  models: Map<string, ModelConfig>;
  maxBodyBytes: number;
  /** Rate limits and budgets; absent when `limits.rules` is empty. */
  limiter?: Limiter;
}

export function isLlmPath(path: string): boolean {
  return path in ENDPOINTS || path === '/v1/models' || path.startsWith('/v1/models/');
}

export async function handleLlm(deps: LlmDeps, ex: Exchange, res: ServerResponse): Promise<void> {
  if (ex.path === '/v1/models') return listModels(deps, ex, res);
  if (ex.path.startsWith('/v1/models/')) return retrieveModel(deps, ex, res, ex.path.slice('/v1/models/'.length));
  const endpoint = ENDPOINTS[ex.path]!;
  ex.route = `openai.${endpoint.operation}`;
  if (ex.method !== 'POST') throw new WardenError('method_not_allowed');
  // Authenticate first: an unauthenticated caller must not make Warden read (and buffer) its body.
  await deps.pipeline.authenticate(ex);
  // Warden does not decode compressed bodies; a body labelled compressed would be read one way here and
  // another way upstream.
  const encoding = header(ex.req, 'content-encoding');
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') throw new WardenError('unsupported_media_type', 'compressed request bodies are not supported; send the JSON uncompressed');
  const raw = await readBody(ex.req, deps.maxBodyBytes);
  ex.usage.requestBytes = raw.length;
  const body = validateBody(endpoint.operation, parseJsonBody(raw, contentType(ex.req)));
  const model = deps.models.get(body.model);
  ex.model = body.model;
  if (!model) throw new WardenError('unknown_model', `no model named \`${body.model.slice(0, 200)}\``);
  const stream = body.stream === true;
  const resource = { type: 'Model', id: model.id, attributes: { sensitivity: model.sensitivity, owner: model.owner } };
  const admission = await admitLimits(deps.pipeline, deps.limiter, ex, res, { action: endpoint.action, resource, model: model.id, tokens: true });
  if (!admission) return;
  const limits = limitFacts(admission.states);
  const inspection = deps.guard ? await inspectInput(deps.guard, deps.pipeline, ex, body) : undefined;
  const result = deps.pipeline.decide(ex, {
    action: endpoint.action,
    resource,
    request: { model: model.id, bytes: raw.length, stream },
    monitorOnly: model.monitorOnly,
    scope: { kind: 'llm', operation: endpoint.action === 'embed' ? 'embeddings' : 'chat', model: model.id },
    ...(inspection ? { guard: inspection.input.context } : {}),
    ...(limits ? { limits } : {}),
  });
  if (!deps.pipeline.enforce(ex, res, result)) return;
  const guarded = deps.guard && inspection ? await prepareGuardedBody(deps.guard, ex, body, inspection, obligationsOf(deps.pipeline, result), endpoint.operation) : undefined;

  const upstream = deps.upstreams.get(model.upstream);
  // A streamed answer reports its usage only when asked: a token budget asks, so that it is charged what was used.
  const forwardBody = stream && admission.tokenCounters.length ? withStreamUsage(guarded?.body ?? body) : (guarded?.body ?? body);
  // Always the value that was inspected, re-serialised: never the client's bytes (finding 10.3).
  const outgoing = Buffer.from(stringifyStrict({ ...(forwardBody as Record<string, unknown>), ...(model.upstreamModel ? { model: model.upstreamModel } : {}) }));
  const abort = new AbortController();
  res.on('close', () => !res.writableFinished && abort.abort());
  const t0 = performance.now();
  const headers = forwardableHeaders(ex.req.headers, ex.requestId);
  headers['content-type'] = 'application/json';
  delete headers['content-encoding'];
  // The answer is inspected as text: it must arrive as text, not compressed.
  headers['accept-encoding'] = 'identity';
  const response = await upstream.request({ method: 'POST', path: upstreamPath(upstream, endpoint.suffix), headers, body: outgoing, signal: abort.signal });
  ex.latency.upstream = round(performance.now() - t0);
  deps.pipeline.deps.metrics.upstreamSeconds.observe({ upstream: upstream.name, status: String(response.statusCode) }, ex.latency.upstream / 1000);
  if (isUpstreamFailure(response.statusCode)) throw await upstreamFailure(response, upstream.scrub);
  const outputResult: OutputGuardResult = { findings: [] };
  const createInspector = guarded?.createInspector;
  const framing = answerFraming(response.headers);
  if (createInspector && framing === undefined) {
    discardBody(response);
    throw new WardenError('upstream_invalid_answer', 'the upstream answer has a content type or encoding Warden cannot inspect');
  }
  const rename = model.upstreamModel ? model.id : undefined;
  // Streams always go through the rewriter: an upstream's error event is replaced by Warden's even when nothing inspects the answer.
  const onUsage = (usage: AnswerUsage): void => void Object.assign(ex.usage, usage);
  const output = framing && (createInspector || rename || framing === 'sse') ? answerRelay({ createInspector, model: rename, maxEventBytes: MAX_WHOLE_ANSWER, onUsage }, framing, outputResult) : {};
  await relayResponse(ex, res, response, { collectUsage: !stream, ...output });
  if (deps.guard && outputResult.findings.length) publishFindings(deps.guard, deps.pipeline, ex, outputResult.findings, 'output');
  // Charged before the answer's last byte is released, so a caller that has its answer has been charged.
  await chargeTokens(deps.limiter, ex, admission);
  deps.pipeline.record(ex);
}

async function listModels(deps: LlmDeps, ex: Exchange, res: ServerResponse): Promise<void> {
  ex.route = 'openai.models';
  if (ex.method !== 'GET') throw new WardenError('method_not_allowed');
  await deps.pipeline.authenticate(ex);
  const visible = [...deps.models.values()].filter((model) => usable(deps, ex, model)).map(modelObject);
  ex.action = 'list';
  ex.resource = { type: 'Warden::Route', id: 'models' };
  ex.outcome = 'allow';
  ex.enforced = true;
  ex.policyIds = [];
  ex.status = 200;
  sendJson(res, 200, { object: 'list', data: visible }, { 'x-request-id': ex.requestId });
  deps.pipeline.record(ex);
}

/**
 * `GET /v1/models/{id}` (the SDKs' `models.retrieve`): the model object for a model the caller would see
 * in the list; any other id, configured or not, is the same 404 (so the answer does not reveal which
 * models exist to a caller who may not use them).
 */
async function retrieveModel(deps: LlmDeps, ex: Exchange, res: ServerResponse, encodedId: string): Promise<void> {
  ex.route = 'openai.models';
  if (ex.method !== 'GET') throw new WardenError('method_not_allowed');
  await deps.pipeline.authenticate(ex);
  let id: string;
  try {
    id = decodeURIComponent(encodedId);
  } catch {
    // Not valid percent-encoding: the id is looked up as given (and is then simply not found).
    id = encodedId;
  }
  const model = deps.models.get(id);
  if (!model || !usable(deps, ex, model)) throw new WardenError('unknown_model', `no model named \`${id.slice(0, 200)}\``);
  ex.model = model.id;
  ex.action = 'retrieve';
  ex.resource = { type: 'Model', id: model.id };
  ex.outcome = 'allow';
  ex.enforced = true;
  ex.policyIds = [];
  ex.status = 200;
  sendJson(res, 200, modelObject(model), { 'x-request-id': ex.requestId });
  deps.pipeline.record(ex);
}

/** A model is visible when the caller may invoke or embed with it, or would be after stepping up. */
function usable(deps: LlmDeps, ex: Exchange, model: ModelConfig): boolean {
  const resource = { type: 'Model', id: model.id, attributes: { sensitivity: model.sensitivity, owner: model.owner } };
  return ['invoke', 'embed'].some((action) => {
    const scope = { kind: 'llm', operation: action === 'embed' ? 'embeddings' : 'chat', model: model.id } as const;
    const r = deps.pipeline.decide(ex, { action, resource, request: { model: model.id, bytes: 0, stream: false }, monitorOnly: model.monitorOnly, scope });
    return r.missingScope === undefined && (r.outcome !== 'deny' || model.monitorOnly);
  });
}

function modelObject(model: ModelConfig): { id: string; object: 'model'; created: number; owned_by: string } {
  return { id: model.id, object: 'model', created: 0, owned_by: model.owner || 'warden' };
}

function validateBody(operation: LlmOperation, body: unknown): { model: string; stream?: boolean | undefined } & Record<string, unknown> {
  return validateInput(BODY_SCHEMAS[operation], body) as { model: string; stream?: boolean } & Record<string, unknown>;
}

/** The body with `stream_options.include_usage` set (OpenAI's final usage chunk), keeping the caller's other stream options. */
function withStreamUsage(body: unknown): Record<string, unknown> {
  const b = body as Record<string, unknown>;
  const given = b.stream_options;
  const options = given !== null && typeof given === 'object' && !Array.isArray(given) ? (given as Record<string, unknown>) : {};
  return { ...b, stream_options: { ...options, include_usage: true } };
}

function contentType(req: IncomingMessage): string | undefined {
  return req.headers['content-type'];
}
