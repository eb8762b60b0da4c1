/**
 * The `mcp:` section of the configuration: the MCP servers Warden fronts at `/mcp/<name>`, the limits on
 * what agents may send, how tool definitions are pinned and how tool results are treated.
 *
 * @example
 * mcp:
 *   servers:
 *     - name: tickets
 *       url: https://tickets.internal/mcp
 *       apiKey: env:TICKETS_MCP_TOKEN     # Warden's own credential; the agent's is never passed on
 *       results: { injection: block, secrets: redact, pii: mark }
 *     - name: files
 *       stdio: { command: npx, args: [-y, "@modelcontextprotocol/server-filesystem", /srv/share], env: { LOG_LEVEL: info } }
 */
import { z } from 'zod';

/** What happens to a tool result with a finding: `block` refuses it, `redact` removes the finding, `mark` passes it with a warning. */
const resultAction = z.enum(['block', 'redact', 'mark']);

/**
 * A local server Warden starts and talks to over its standard input and output (MCP stdio transport). The
 * child gets only `env` (values may be `env:NAME` or `file:PATH` references, resolved by Warden) and the
 * minimal variables the SDK adds (HOME, LOGNAME, PATH, SHELL, TERM, USER), never Warden's environment.
 */
const stdioSchema = z.strictObject({
  command: z.string().min(1).max(4096),
  args: z.array(z.string().max(4096)).max(256).default([]),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string().max(65_536)).default({}),
  /** Working directory (relative paths from Warden's). */
  cwd: z.string().min(1).optional(),
  /** Most bytes of the child's standard error written to the log per minute; the rest is counted, not logged. */
  stderrBytesPerMinute: z.number().int().min(0).max(1024 * 1024).default(16 * 1024),
});

export const mcpServerSchema = z.object({
  /** The path segment: the server is reached at `/mcp/<name>`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, `-` and `_`, at most 63 characters'),
  /** The server's Streamable HTTP endpoint (or `stdio`, not both). */
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
  /** A local server Warden starts (or `url`, not both). */
  stdio: stdioSchema.optional(),
  /** Warden's own credential towards the server (`env:NAME`, `file:PATH`); the agent's token is never passed through. */
  apiKey: z.string().default(''),
  /** Header the credential goes in; `authorization` sends `Bearer <key>`. */
  apiKeyHeader: z.string().default('authorization'),
  /** A server that has not answered in this time gets a JSON-RPC error, not a hanging agent. */
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /** Largest answer read from the server; a larger one is refused, never relayed in part. */
  maxResponseBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
  /**
   * `approve`: every new or changed tool definition waits for approval. `trust-first-use`: definitions
   * seen at the first discovery are approved (unless their scan found something); later changes wait.
   */
  pinning: z.enum(['approve', 'trust-first-use']).default('approve'),
  /** What to do with findings in tool results (untrusted documents). */
  results: z
    .object({
      injection: resultAction.default('block'),
      secrets: resultAction.default('redact'),
      pii: resultAction.default('mark'),
    })
    .prefault({}),
});

export const mcpConfigSchema = z
  .object({
    servers: z.array(mcpServerSchema).default([]),
    /** Most JSON-RPC messages in one batch (batching is a way to multiply work per request). */
    maxBatch: z.number().int().min(1).max(100).default(10),
    /** Largest `arguments` of one call, serialised. */
    maxArgumentBytes: z.number().int().min(64).max(16 * 1024 * 1024).default(64 * 1024),
    /**
     * How often Warden lists every server's tools itself, so a definition changed behind its back is
     * quarantined even if no agent lists tools (0: only at start and when agents list).
     */
    rediscoverSeconds: z.number().int().min(0).max(86_400).default(300),
    /** Roles that may approve or reject tool definitions. */
    approverRoles: z.array(z.string().min(1)).min(1).default(['admin', 'tool-approver']),
    /** Distinct approvers a definition needs before agents see it (two-person rule by default). */
    approvalsRequired: z.number().int().min(1).max(5).default(2),
    session: z
      .object({
        /**
         * How long what happened in an agent's sessions counts (`context.session`). History follows the
         * principal, not the session id: a new session id does not clear it.
         */
        windowSeconds: z.number().int().min(60).max(7 * 86_400).default(3600),
        /** Most agents (principal and the person it acts for) tracked at once; the least recent is dropped. */
        maxPrincipals: z.number().int().min(100).max(1_000_000).default(10_000),
      })
      .prefault({}),
  })
  .prefault({})
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    for (const [i, server] of value.servers.entries()) {
      if (seen.has(server.name)) ctx.addIssue({ code: 'custom', path: ['servers', i, 'name'], message: `duplicate server name \`${server.name}\`` });
      if ((server.url === undefined) === (server.stdio === undefined)) ctx.addIssue({ code: 'custom', path: ['servers', i], message: 'give either `url` (Streamable HTTP) or `stdio` (a local server Warden starts)' });
      seen.add(server.name);
    }
  });

export type McpConfig = z.infer<typeof mcpConfigSchema>;
export type McpServerConfig = McpConfig['servers'][number];
export type McpStdioConfig = z.infer<typeof stdioSchema>;
export type ResultAction = z.infer<typeof resultAction>;
