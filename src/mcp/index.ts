/**
 * The MCP gateway module: builds the server clients (Streamable HTTP, or stdio servers it starts), the pin
 * registry, the session history and bindings (on SQLite, or PostgreSQL with a database URL) from the
 * `mcp:` configuration, and exposes the HTTP entry points the gateway mounts (`/mcp/<server>` and its
 * RFC 9728 metadata) plus admin routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, WardenError } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import { type Exchange, sendError, sendJson, type Pipeline } from '../gateway/index.js';
import type { SqliteDatabase } from '../store/index.js';
import type { McpConfig } from './config.js';
import { discoverTools } from './discover.js';
import { handleMcp } from './handler.js';
import { resourceMetadata } from './metadata.js';
import { PinRegistry } from './pins/registry.js';
import { openMcpStores } from './store/open.js';
import { McpServerClient } from './server-client.js';
import { StdioServerClient } from './stdio-client.js';
import type { McpUpstream, UpstreamHooks } from './upstream.js';
import { SessionBindings } from './session-bindings.js';
import { SessionHistory } from './session.js';

export { mcpConfigSchema, type McpConfig, type McpServerConfig } from './config.js';
export { mcpAdminRoutes } from './admin-routes.js';
export { PinRegistry, pinId } from './pins/registry.js';
export { SqlitePinRepository } from './pins/sqlite.js';
export { PostgresPinRepository } from './pins/postgres.js';
export type { ToolPin, ToolPinRepository, PinStatus } from './pins/types.js';
export { openMcpStores, type McpStores } from './store/open.js';
export { SqliteMcpSessionRepository } from './store/sqlite.js';
export { PostgresMcpSessionRepository } from './store/postgres.js';
export type { McpSessionRepository } from './store/types.js';

export interface McpGatewayOptions {
  config: McpConfig;
  env: NodeJS.ProcessEnv;
  db: SqliteDatabase;
  /** With a cluster database, pins, session bindings and histories live there, shared by every instance. */
  databaseUrl?: string | undefined;
  bus: EventBus;
  logger: Logger;
  maxBodyBytes: number;
  /** The configured JWT issuers: the authorization servers named in the resource metadata. */
  issuers: readonly string[];
}

export interface McpGateway {
  readonly pins: PinRegistry;
  /** `/mcp/<server>` requests (`rest` is the path after `/mcp/`). */
  handle(pipeline: Pipeline, ex: Exchange, res: ServerResponse, rest: string, maxBodyBytes: number): Promise<void>;
  /** `GET /.well-known/oauth-protected-resource/mcp/<server>`, without authentication. */
  metadata(req: IncomingMessage, res: ServerResponse, server: string): void;
  /** Lists every server's tools as Warden, pinning and scanning their definitions; never throws (failures are logged). */
  discover(): Promise<void>;
  /** Loads pins decided and session history recorded by another process (the CLI, another instance). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** Reloads between two prunes of the stored history. */
const PRUNE_EVERY = 150;
/** A stored session binding is forgotten after this long: the client gets 404 and re-initializes, as the transport allows. */
const BINDING_TTL_MS = 7 * 86_400_000;

export async function createMcpGateway(options: McpGatewayOptions): Promise<McpGateway> {
  const { config, bus } = options;
  // A server that says its tools changed (or a stdio server that restarted) is listed again, once at a time.
  const discovering = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const hooks: UpstreamHooks = {
    onToolsChanged(server) {
      if (discovering.has(server)) return void again.add(server);
      const client = clients.get(server);
      if (!client) return;
      const run = (): Promise<void> =>
        discoverOne(client).finally(() => {
          if (again.delete(server)) discovering.set(server, run());
          else discovering.delete(server);
        });
      discovering.set(server, run());
    },
  };
  const clients = new Map<string, McpUpstream>(
    config.servers.map((s, i) => [s.name, s.stdio ? new StdioServerClient(s, `mcp.servers.${i}`, options.env, options.logger, hooks) : new McpServerClient(s, `mcp.servers.${i}.apiKey`, options.env, hooks)]),
  );
  const discoverOne = (client: McpUpstream): Promise<void> =>
    discoverTools(client, pins).then(
      (count) => options.logger.info({ server: client.name, tools: count }, 'MCP server tools discovered'),
      (error: unknown) => options.logger.warn({ server: client.name, reason: error instanceof Error ? error.message : 'unknown' }, 'MCP server tools could not be discovered; they are pinned when an agent lists them'),
    );
  const stores = await openMcpStores({ databaseUrl: options.databaseUrl, sqlite: () => options.db });
  const pins = new PinRegistry(stores.pins, {
    approverRoles: config.approverRoles,
    approvalsRequired: config.approvalsRequired,
    trustFirstUse: new Set(config.servers.filter((s) => s.pinning === 'trust-first-use').map((s) => s.name)),
  }, bus);
  const sessions = new SessionHistory(config.session, stores.sessions, (error) => options.logger.error({ err: error }, 'MCP session history could not be stored; it still counts on this instance'));
  const bindings = new SessionBindings(stores.sessions);
  try {
    await pins.reload();
    await sessions.sync();
  } catch (error) {
    await stores.close();
    throw error;
  }
  // Local servers start once the pins are loaded (a failed start is retried with backoff); discovery waits for them.
  for (const client of clients.values()) if (client instanceof StdioServerClient) client.start().catch(() => undefined);
  let syncs = 0;
  return {
    pins,
    async handle(pipeline, ex, res, rest, maxBodyBytes) {
      const server = rest.split('/')[0] ?? '';
      if (rest !== server) throw new WardenError('not_found');
      await handleMcp(
        {
          pipeline, config, clients, pins, sessions, bindings, maxBodyBytes,
          publishFindings: (at, name, findings) => {
            const identity = at.identity;
            for (const f of findings) {
              bus.publish({
                type: 'detection',
                detector: f.kind === 'injection' ? 'guard.injection' : 'guard.dlp',
                category: f.kind === 'injection' ? 'tool_result_injection' : f.type.toLowerCase(),
                entity: identity ? { type: identity.principal.kind, id: identity.principal.id } : { type: 'Warden::McpServer', id: name },
                score: f.kind === 'pii' ? 0.5 : 0.9,
                severity: f.kind === 'pii' ? 'medium' : 'high',
                explanation: `${f.type} in a result from MCP server \`${name}\` at ${f.path || '(result)'}; action: ${f.action}`,
                details: { direction: 'tool_result', server: name, path: f.path, action: f.action, reasons: f.reasons },
                requestId: at.requestId,
              });
            }
          },
        },
        ex, res, server,
      );
    },
    metadata(req, res, server) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return void sendError(res, new WardenError('method_not_allowed'));
      if (!clients.has(server)) return void sendError(res, new WardenError('not_found', 'no such MCP server'));
      sendJson(res, 200, resourceMetadata(req, server, options.issuers), { 'cache-control': 'max-age=300' });
    },
    async discover() {
      await Promise.all([...clients.values()].map(discoverOne));
    },
    async reload() {
      await pins.reload();
      await sessions.sync();
      // Now and then, not on every reload: stored history past the window, and bindings past their age.
      if (++syncs % PRUNE_EVERY === 0) await sessions.prune(Date.now(), Date.now() - BINDING_TTL_MS);
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
      await sessions.flushed();
      await stores.close();
    },
  };
}
