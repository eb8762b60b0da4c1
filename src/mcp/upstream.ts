/**
 * What the gateway needs of an MCP server, whatever its transport: a Streamable HTTP server
 * (`server-client.ts`) or a local stdio server Warden starts (`stdio-client.ts`). Both answer a POST's
 * messages with the responses to its requests, refuse server-to-client requests Warden does not relay,
 * and report the server notifications Warden acts on.
 */
import type { McpServerConfig } from './config.js';
import type { RpcMessage, RpcNotification, RpcResponse } from './jsonrpc.js';

export interface ServerAnswer {
  status: number;
  /** The server's session id, when it sent one. */
  sessionId?: string;
  /** Responses by request id (`typeof id + ':' + id`). */
  responses: Map<string, RpcResponse>;
  bytes: number;
}

export interface PostOptions {
  sessionId?: string;
  protocolVersion?: string;
}

/**
 * A server notification about the request being relayed that the agent may see as it arrives
 * (`notifications/progress`, reduced to its numbers: its text would reach the agent unscanned).
 */
export type NotificationSink = (notification: RpcNotification) => void;

export interface McpUpstream {
  readonly name: string;
  readonly config: McpServerConfig;
  post(messages: RpcMessage[], headers: PostOptions, signal?: AbortSignal, onProgress?: NotificationSink): Promise<ServerAnswer>;
  /** Ends a session; failures are the server's business. */
  endSession(sessionId: string, protocolVersion?: string): Promise<number>;
  close(): Promise<void>;
}

/** What a server's notifications and lifecycle tell the gateway. */
export interface UpstreamHooks {
  /** The server's tools changed (`notifications/tools/list_changed`, or a restarted stdio server): list and pin them again. */
  onToolsChanged(server: string): void;
}

export function idKey(id: string | number): string {
  return `${typeof id}:${id}`;
}

/** Only the numbers of a progress notification go to the agent, under the token it chose. */
export function progressFor(token: string | number, params: Record<string, unknown>): RpcNotification | undefined {
  const progress = params.progress;
  const total = params.total;
  if (typeof progress !== 'number' || !Number.isFinite(progress)) return undefined;
  return { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress, ...(typeof total === 'number' && Number.isFinite(total) ? { total } : {}) } };
}

/** The answer to a server-to-client request Warden does not relay: `ping` is answered, everything else refused. */
export function refuseServerRequest(id: string | number, method: string): RpcResponse {
  if (method === 'ping') return { jsonrpc: '2.0', id, result: {} };
  return {
    jsonrpc: '2.0',
    id,
    error: { code: -32601, message: `Warden does not relay server-to-client requests (\`${method.slice(0, 64)}\`): sampling, elicitation and roots are not available through the gateway` },
  };
}
