/**
 * One Cedar decision for one MCP operation: `call_tool` on a `Warden::Tool`, `read_resource` on a
 * `Warden::McpResource`, `get_prompt` on a `Warden::McpPrompt`. The principal is the agent (and, through
 * `context.delegation`, the person it acts for); the tool's behaviour hints come from its approved, pinned
 * definition, never from what the server says at call time; the call's arguments and the session summary
 * are in the context (`context.mcp`, `context.session`).
 */
import type { ResourceRef } from '../core/index.js';
import type { Exchange, Pipeline, ScopedDecision } from '../gateway/index.js';
import type { SessionSummary } from './session.js';

export type McpOperation =
  | { action: 'call_tool'; server: string; name: string; hints: { readOnly: boolean; destructive: boolean; openWorld: boolean }; arguments: Record<string, unknown> }
  | { action: 'read_resource'; server: string; uri: string }
  | { action: 'get_prompt'; server: string; name: string; arguments: Record<string, unknown> };

/** Most arguments put in the context (more are refused earlier by the byte limit in practice). */
const MAX_CONTEXT_ARGUMENTS = 64;

export function resourceOf(op: McpOperation): ResourceRef {
  switch (op.action) {
    case 'call_tool':
      return { type: 'Warden::Tool', id: `${op.server}/${op.name}`, attributes: { server: op.server, name: op.name, readOnly: op.hints.readOnly, destructive: op.hints.destructive, openWorld: op.hints.openWorld } };
    case 'read_resource':
      return { type: 'Warden::McpResource', id: `${op.server}/${op.uri}`, attributes: { server: op.server, uri: op.uri } };
    case 'get_prompt':
      return { type: 'Warden::McpPrompt', id: `${op.server}/${op.name}`, attributes: { server: op.server, name: op.name } };
  }
}

/**
 * Arguments as Cedar strings: a string as itself, anything else as its JSON text. One type for every
 * argument means a policy comparing `context.mcp.arguments.url` can never be skipped because a caller
 * sent a number where a string was expected (an erroring `forbid` would be skipped, turning deny into allow).
 */
export function argumentsForCedar(args: Record<string, unknown>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(args).slice(0, MAX_CONTEXT_ARGUMENTS)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

export function decideMcp(pipeline: Pipeline, ex: Exchange, op: McpOperation, session: SessionSummary, argumentBytes: number): ScopedDecision {
  const args = op.action === 'read_resource' ? {} : op.arguments;
  return pipeline.decide(ex, {
    action: op.action,
    resource: resourceOf(op),
    request: { bytes: argumentBytes, stream: false },
    monitorOnly: false,
    scope: { kind: 'mcp', server: op.server },
    extra: {
      mcp: { server: op.server, method: op.action, arguments: argumentsForCedar(args), argumentBytes },
      session: { ...session, toolCounts: { ...session.toolCounts } },
    },
  });
}
