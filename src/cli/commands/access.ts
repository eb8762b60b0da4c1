/**
 * `warden access ...`: just-in-time elevation from a terminal, on the store the running Warden reads (it
 * applies a change within a second; the events reach its audit log the same way). Who acts is `--as`
 * (default `$WARDEN_PRINCIPAL`, then `$USER`): the terminal is trusted like the store it writes, so an
 * approver with a factor enrolled must still give a current code, and nobody can approve their own request.
 */
import { UsageError, writeLine, type Command, type CliIO } from '../command.js';
import { parse } from '../options.js';
import { withAuditedStore, type AuditedStore } from '../audited-store.js';
import { withMfa } from './mfa.js';
import type { Mfa } from '../../mfa/index.js';
import { AccessRequests, approverFactors, parseDuration, type AccessRequestRecord, type AccessStatus } from '../../access/index.js';
import { Directory } from '../../identity/index.js';

const STATUSES: readonly AccessStatus[] = ['pending', 'active', 'denied', 'revoked', 'expired'];

/** Runs `fn` with the access requests; approvers' codes are checked against the step-up module's shared lock-out. */
async function withAccess<T>(store: AuditedStore, io: CliIO, fn: (access: AccessRequests) => Promise<T>): Promise<T> {
  const { config } = store.loaded;
  const open = (mfa: Mfa | undefined): AccessRequests => new AccessRequests({ repo: store.stores.access, config: config.access, directory: new Directory(config.principals, config.devices), factors: approverFactors(mfa), bus: store.bus, instanceId: 'cli' });
  return config.mfa.enabled ? withMfa(store, io, (mfa) => fn(open(mfa))) : fn(open(undefined));
}

function actorId(flag: string | undefined, io: CliIO): string {
  const id = flag ?? io.env.WARDEN_PRINCIPAL ?? io.env.USER;
  if (!id) throw new UsageError('--as is required (or set WARDEN_PRINCIPAL)');
  return id;
}

function oneId(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError('give exactly one request id');
  return positionals[0]!;
}

function summary(r: AccessRequestRecord): string {
  const window = r.status === 'active' ? `until ${r.activeUntil}` : r.status === 'pending' ? `${r.approvers.length}/${r.approvalsRequired} approvals, lapses ${r.pendingUntil}` : `${r.status} ${r.endedAt ?? ''}`.trim();
  return `${r.id}  ${r.principal.padEnd(14)} ${r.role.padEnd(14)} ${r.status.padEnd(8)} ${window}`;
}

export const accessRequestCommand: Command = {
  name: 'access request',
  summary: 'ask to hold a role for a while (just-in-time elevation), with a reason',
  usage: 'usage: warden access request --role ROLE --for DURATION --reason TEXT [--as PRINCIPAL] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values } = parse(args, { role: { type: 'string' }, for: { type: 'string' }, reason: { type: 'string' }, as: { type: 'string' } });
    if (!values.role || !values.for || !values.reason) throw new UsageError('--role, --for and --reason are required');
    const seconds = parseDuration(values.for);
    if (seconds === undefined) throw new UsageError('--for: a duration like 1h, 90m or 3600');
    return withAuditedStore(values, io, (store) => withAccess(store, io, async (access) => {
      const record = await access.request({ principal: actorId(values.as, io), role: values.role!, seconds, reason: values.reason! });
      writeLine(io.stdout, `requested ${record.id}: ${record.principal} as ${record.role} for ${seconds}s; needs ${record.approvalsRequired} approval(s) by ${record.pendingUntil}`);
      return 0;
    }));
  },
};

export const accessApproveCommand: Command = {
  name: 'access approve',
  summary: "approve an access request (an approver of its role, never the requester; with a code if you have a factor)",
  usage: 'usage: warden access approve REQUEST-ID [--as PRINCIPAL] [--code CODE] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values, positionals } = parse(args, { as: { type: 'string' }, code: { type: 'string' } }, true);
    const id = oneId(positionals);
    return withAuditedStore(values, io, (store) => withAccess(store, io, async (access) => {
      const record = await access.approve(id, { id: actorId(values.as, io), ...(values.code !== undefined ? { code: values.code } : {}) });
      writeLine(io.stdout, record.status === 'active' ? `approved: ${record.principal} holds ${record.role} until ${record.activeUntil}` : `approval recorded: ${record.approvers.length}/${record.approvalsRequired}`);
      return 0;
    }));
  },
};

function endCommand(kind: 'deny' | 'revoke'): Command {
  return {
    name: `access ${kind}`,
    summary: kind === 'deny' ? 'deny a pending access request (an approver of its role)' : 'end a pending or active elevation now (its requester, an approver or an admin)',
    usage: `usage: warden access ${kind} REQUEST-ID [--as PRINCIPAL] [--reason TEXT] [--data-dir D] [--config FILE]`,
    async run(args, io) {
      const { values, positionals } = parse(args, { as: { type: 'string' }, reason: { type: 'string' } }, true);
      const id = oneId(positionals);
      return withAuditedStore(values, io, (store) => withAccess(store, io, async (access) => {
        const actor = actorId(values.as, io);
        // Revoking only takes privilege away: whoever may write the store may do it.
        const record = kind === 'deny' ? await access.deny(id, { id: actor }, values.reason ?? '') : await access.revoke(id, { id: actor, roles: ['admin'] }, values.reason ?? '');
        writeLine(io.stdout, `${record.status}: ${record.id}`);
        return 0;
      }));
    },
  };
}

export const accessDenyCommand = endCommand('deny');
export const accessRevokeCommand = endCommand('revoke');

export const accessListCommand: Command = {
  name: 'access list',
  summary: 'list access requests, newest first (kept after they expire)',
  usage: 'usage: warden access list [--principal ID] [--status pending|active|denied|revoked|expired] [--limit N] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values } = parse(args, { principal: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' } });
    if (values.status !== undefined && !STATUSES.includes(values.status as AccessStatus)) throw new UsageError(`--status: one of ${STATUSES.join(', ')}`);
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit: 1 to 1000');
    return withAuditedStore(values, io, async (store) => {
      const items = await store.stores.access.listRequests({ limit, ...(values.principal ? { principal: values.principal } : {}), ...(values.status ? { status: values.status as AccessStatus } : {}) });
      for (const r of items) writeLine(io.stdout, summary(r));
      if (items.length === 0) writeLine(io.stdout, 'no access requests');
      return 0;
    });
  },
};

export const accessShowCommand: Command = {
  name: 'access show',
  summary: 'one access request and its whole history (requested, approvals, uses, expiry, revocation)',
  usage: 'usage: warden access show REQUEST-ID [--json] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } }, true);
    const id = oneId(positionals);
    return withAuditedStore(values, io, (store) => withAccess(store, io, async (access) => {
      const record = await access.get(id);
      const history = await access.history(id);
      if (values.json) {
        writeLine(io.stdout, JSON.stringify({ ...record, history }));
        return 0;
      }
      writeLine(io.stdout, summary(record));
      writeLine(io.stdout, `reason: ${record.reason}`);
      for (const h of history) writeLine(io.stdout, `  ${h.at}  ${h.kind.padEnd(9)} ${h.actor.padEnd(14)} ${JSON.stringify(h.details)}`);
      return 0;
    }));
  },
};
