/**
 * Strict JSON-RPC 2.0 for the MCP gateway: what an agent sends is parsed with Warden's strict JSON parser
 * (duplicate keys, invalid UTF-8 and inexact numbers refused), each message checked against the JSON-RPC
 * shape, the batch size capped and the method matched against the MCP methods Warden relays. Anything
 * else is a JSON-RPC error the agent can read, never a crash.
 */
import { z } from 'zod';
import { StrictJsonError, parseJsonStrict } from '../core/index.js';

/** JSON-RPC error codes: the standard ones and Warden's own in the implementation-defined range. */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  denied: -32001,
  quarantined: -32003,
  upstreamTimeout: -32004,
  upstreamInvalid: -32005,
  resultBlocked: -32006,
  approvalRequired: -32007,
  upstreamUnavailable: -32008,
} as const;

export type RpcId = string | number;

export interface RpcRequest {
  jsonrpc: '2.0';
  id: RpcId;
  method: string;
  params?: Record<string, unknown>;
}

export interface RpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

export type RpcMessage = RpcRequest | RpcNotification;

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: Record<string, unknown>;
}

export interface RpcResponse {
  jsonrpc: '2.0';
  id: RpcId | null;
  result?: unknown;
  error?: RpcErrorObject;
}

/** The MCP client-to-server methods Warden relays; anything else is refused (`-32601`). */
export const RELAYED_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
]);

// An id is a string or an integer (JSON-RPC discourages fractions; MCP forbids null ids in requests).
const idSchema = z.union([z.string().max(256), z.number().int().safe()]);
const messageSchema = z.strictObject({
  jsonrpc: z.literal('2.0'),
  id: idSchema.optional(),
  method: z.string().min(1).max(128),
  params: z.record(z.string(), z.unknown()).optional(),
});

export class RpcFailure extends Error {
  constructor(
    readonly rpcCode: number,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RpcFailure';
  }
}

export interface ParsedBody {
  messages: RpcMessage[];
  batch: boolean;
}

/**
 * Parses a POST body into JSON-RPC messages. A body that is not JSON, an empty or oversized batch, or a
 * message of the wrong shape fails as a whole (`RpcFailure`): a partly valid batch is not half relayed.
 */
export function parseRpcBody(body: Buffer, maxBatch: number): ParsedBody {
  let value: unknown;
  try {
    value = parseJsonStrict(body, { maxDepth: 64 });
  } catch (error) {
    if (error instanceof StrictJsonError) throw new RpcFailure(RPC.parseError, `the body is not valid JSON: ${error.message}`);
    throw error;
  }
  const batch = Array.isArray(value);
  const items = batch ? (value as unknown[]) : [value];
  if (items.length === 0) throw new RpcFailure(RPC.invalidRequest, 'an empty batch');
  if (items.length > maxBatch) throw new RpcFailure(RPC.invalidRequest, `a batch of ${items.length} messages; at most ${maxBatch} are accepted`, { maxBatch });
  const messages = items.map((item, i) => {
    const parsed = messageSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = [...(batch ? [i] : []), ...issue.path].join('.');
      throw new RpcFailure(RPC.invalidRequest, `not a JSON-RPC 2.0 request or notification${where ? ` at \`${where}\`` : ''}: ${issue.message}`);
    }
    return parsed.data as RpcMessage;
  });
  const ids = new Set<string>();
  for (const m of messages) {
    if (!isRequest(m)) continue;
    // Two requests with one id in a batch: answers could not be told apart (and one could be swapped in).
    const key = `${typeof m.id}:${m.id}`;
    if (ids.has(key)) throw new RpcFailure(RPC.invalidRequest, `the id ${JSON.stringify(m.id)} is used twice in the batch`);
    ids.add(key);
  }
  return { messages, batch };
}

export function isRequest(m: RpcMessage): m is RpcRequest {
  return 'id' in m && m.id !== undefined;
}

export function rpcError(id: RpcId | null, code: number, message: string, data?: Record<string, unknown>): RpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message, ...(data ? { data } : {}) } };
}

export function rpcResult(id: RpcId, result: unknown): RpcResponse {
  return { jsonrpc: '2.0', id, result };
}

const responseSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([idSchema, z.null()]),
  result: z.unknown().optional(),
  error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }).optional(),
});

/** Whether a value from a server is a JSON-RPC response (exactly one of result and error). */
export function asResponse(value: unknown): RpcResponse | undefined {
  const parsed = responseSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const r = parsed.data;
  if ((r.result === undefined) === (r.error === undefined)) return undefined;
  return r as RpcResponse;
}
