/**
 * Discovery: Warden lists a server's tools itself (its own session, its own credential) so that every
 * definition is pinned and scanned before any agent asks, and so that an agent may call a tool without
 * listing first. Run at start; failures are the server's and are logged, not fatal.
 */
import { toolDefinitionSchema, type ToolDefinition } from './pins/definition.js';
import type { PinRegistry } from './pins/registry.js';
import { RPC, RpcFailure } from './jsonrpc.js';
import type { McpUpstream } from './upstream.js';

/** The protocol revision Warden speaks when it opens its own session. */
const PROTOCOL_VERSION = '2025-06-18';
const MAX_PAGES = 20;

export async function discoverTools(client: McpUpstream, pins: PinRegistry): Promise<number> {
  const init = await client.post([{ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'warden-discovery', version: '1' } } }], {});
  const answer = init.responses.get('number:0');
  if (!answer || answer.error) throw new RpcFailure(RPC.upstreamInvalid, `server \`${client.name}\` refused initialize`);
  const version = (answer.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
  const headers = { ...(init.sessionId ? { sessionId: init.sessionId } : {}), protocolVersion: typeof version === 'string' ? version.slice(0, 64) : PROTOCOL_VERSION };
  try {
    await client.post([{ jsonrpc: '2.0', method: 'notifications/initialized' }], headers);
    const definitions: ToolDefinition[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const list = await client.post([{ jsonrpc: '2.0', id: page + 1, method: 'tools/list', ...(cursor ? { params: { cursor } } : {}) }], headers);
      const result = list.responses.get(`number:${page + 1}`)?.result as { tools?: unknown; nextCursor?: unknown } | undefined;
      if (!result || !Array.isArray(result.tools)) throw new RpcFailure(RPC.upstreamInvalid, `server \`${client.name}\` answered tools/list without tools`);
      for (const tool of result.tools) {
        const parsed = toolDefinitionSchema.safeParse(tool);
        if (parsed.success) definitions.push(parsed.data);
      }
      cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
      if (!cursor) break;
    }
    await pins.observe(client.name, definitions);
    return definitions.length;
  } finally {
    if (init.sessionId) await client.endSession(init.sessionId, headers.protocolVersion).catch(() => undefined);
  }
}
