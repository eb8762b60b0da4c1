/**
 * `warden mcp tools list|approve|reject`: the pinned MCP tool definitions and their approval (two-person
 * rule: `mcp.approvalsRequired` distinct approvers holding one of `mcp.approverRoles`). Works beside a
 * running Warden on the same data directory, or on any machine of a cluster with the same database URL;
 * a running Warden picks decisions up within two seconds.
 */
import { parseArgs } from 'node:util';
import { UsageError, writeLine, type Command, type CliIO } from '../command.js';
import { configFor } from '../options.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { databaseUrlFor } from '../../app/index.js';
import { PinRegistry, openMcpStores, type ToolPin } from '../../mcp/index.js';
import { ACTOR_OPTIONS, COMMON_OPTIONS, actorFrom, json, reportError } from '../integrity-context.js';

function line(p: ToolPin): string {
  const change = p.previousHash ? ` replaces ${p.previousHash.slice(0, 12)}` : '';
  const findings = p.findings.length ? `  findings: ${p.findings.map((f) => `${f.kind} in ${f.path}`).join(', ')}` : '';
  return `${p.id}  ${p.server}/${p.tool}  ${p.status}  ${p.hash.slice(0, 12)}${change}  approvals ${p.approvals.length}${findings}`;
}

async function withPins<T>(io: CliIO, values: { 'data-dir'?: string; config?: string }, fn: (pins: PinRegistry) => Promise<T>): Promise<T> {
  const { config } = configFor(values, io);
  let db: SqliteDatabase | undefined;
  const stores = await openMcpStores({ databaseUrl: databaseUrlFor(config, io.env), sqlite: () => (db = openDatabase(config.dataDir)) });
  try {
    const pins = new PinRegistry(stores.pins, { approverRoles: config.mcp.approverRoles, approvalsRequired: config.mcp.approvalsRequired, trustFirstUse: new Set() });
    await pins.reload();
    return await fn(pins);
  } finally {
    await stores.close();
    db?.close();
  }
}

export const mcpToolsListCommand: Command = {
  name: 'mcp tools list',
  summary: 'list pinned MCP tool definitions (pending ones wait for approval)',
  usage: 'usage: warden mcp tools list [--status pending|approved|rejected] [--server NAME] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, status: { type: 'string' }, server: { type: 'string' } } });
    if (values.status !== undefined && !['pending', 'approved', 'rejected'].includes(values.status)) throw new UsageError('--status is pending, approved or rejected');
    try {
      return await withPins(io, values, async (pins) => {
        const list = pins.list({ ...(values.status ? { status: values.status as ToolPin['status'] } : {}), ...(values.server ? { server: values.server } : {}) });
        if (values.json) json(io, { tools: list });
        else for (const p of list) writeLine(io.stdout, line(p));
        return 0;
      });
    } catch (error) {
      return reportError(io, 'mcp tools list', error);
    }
  },
};

function decide(kind: 'approve' | 'reject'): Command {
  return {
    name: `mcp tools ${kind}`,
    summary: `${kind} a pinned MCP tool definition (as a principal with an approver role)`,
    usage: `usage: warden mcp tools ${kind} ID --actor NAME --role ROLE${kind === 'reject' ? ' [--note TEXT]' : ''} [--data-dir DIR] [--json]`,
    async run(args, io) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COMMON_OPTIONS, ...ACTOR_OPTIONS, note: { type: 'string' } } });
      if (positionals.length !== 1) throw new UsageError('give one pin ID (see `warden mcp tools list`)');
      try {
        return await withPins(io, values, async (pins) => {
          const actor = actorFrom(values);
          const approver = { id: actor.id, type: actor.type ?? 'User', roles: actor.roles ?? [] };
          const pin = kind === 'approve' ? await pins.approve(positionals[0]!, approver) : await pins.reject(positionals[0]!, approver, values.note);
          if (values.json) json(io, { tool: pin });
          else writeLine(io.stdout, line(pin));
          return 0;
        });
      } catch (error) {
        return reportError(io, `mcp tools ${kind}`, error);
      }
    },
  };
}

export const mcpToolsApproveCommand = decide('approve');
export const mcpToolsRejectCommand = decide('reject');
