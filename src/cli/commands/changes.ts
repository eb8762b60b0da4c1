/** `warden changes request|approve|reject|list`: change control with the two-person rule. */
import { parseArgs } from 'node:util';
import { UsageError, writeLine, type Command } from '../command.js';
import type { ChangeRequest } from '../../integrity/index.js';
import { ACTOR_OPTIONS, actorFrom, COMMON_OPTIONS, json, reportError, withIntegrity } from '../integrity-context.js';

function line(c: ChangeRequest): string {
  return `${c.id}  ${c.assetId}  ${c.status}  by ${c.requestedBy}${c.decidedBy ? `, decided by ${c.decidedBy}` : ''}  "${c.reason}"`;
}

export const changesRequestCommand: Command = {
  name: 'changes request',
  summary: 'ask for a change to an asset (needs a second person to approve)',
  usage: 'usage: warden changes request --asset ID --reason TEXT [--digest SHA256] [--actor NAME] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, ...ACTOR_OPTIONS, asset: { type: 'string' }, reason: { type: 'string' }, digest: { type: 'string' } } });
    if (!values.asset || !values.reason) throw new UsageError('--asset and --reason are required');
    try {
      return await withIntegrity(io, values, async (integrity) => {
        const change = await integrity.changes.request({ assetId: values.asset as string, reason: values.reason as string, ...(values.digest ? { expectedDigest: values.digest } : {}) }, actorFrom(values));
        if (values.json) json(io, { change });
        else writeLine(io.stdout, `requested ${line(change)}`);
        return 0;
      });
    } catch (error) {
      return reportError(io, 'changes request', error);
    }
  },
};

function decide(kind: 'approve' | 'reject'): Command {
  return {
    name: `changes ${kind}`,
    summary: `${kind} a pending change request (another principal, with an approver role)`,
    usage: `usage: warden changes ${kind} ID --actor NAME --role ROLE [--note TEXT] [--data-dir DIR] [--json]`,
    async run(args, io) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COMMON_OPTIONS, ...ACTOR_OPTIONS, note: { type: 'string' } } });
      if (positionals.length !== 1) throw new UsageError('give one change request ID');
      try {
        return await withIntegrity(io, values, async (integrity) => {
          const id = positionals[0] as string;
          const actor = actorFrom(values);
          if (kind === 'approve') {
            const { change, check } = await integrity.approveChange(id, actor, values.note);
            if (values.json) json(io, { change, ...(check ? { check } : {}) });
            else writeLine(io.stdout, `approved ${line(change)}${check ? `\nasset check: ${check.result}` : ''}`);
          } else {
            const change = await integrity.changes.reject(id, actor, values.note);
            if (values.json) json(io, { change });
            else writeLine(io.stdout, `rejected ${line(change)}`);
          }
          return 0;
        });
      } catch (error) {
        return reportError(io, `changes ${kind}`, error);
      }
    },
  };
}

export const changesApproveCommand = decide('approve');
export const changesRejectCommand = decide('reject');

export const changesListCommand: Command = {
  name: 'changes list',
  summary: 'list change requests',
  usage: 'usage: warden changes list [--asset ID] [--status pending|approved|rejected|applied|expired] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, asset: { type: 'string' }, status: { type: 'string' } } });
    const statuses = ['pending', 'approved', 'rejected', 'applied', 'expired'];
    if (values.status && !statuses.includes(values.status)) throw new UsageError(`--status is one of ${statuses.join(', ')}`);
    return withIntegrity(io, values, async (integrity) => {
      const changes = await integrity.changes.list({ ...(values.asset ? { assetId: values.asset } : {}), ...(values.status ? { status: values.status as 'pending' } : {}) });
      if (values.json) json(io, { changes });
      else for (const c of changes) writeLine(io.stdout, line(c));
      return 0;
    });
  },
};
