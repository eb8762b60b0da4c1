/** `warden response list|show|approve|reject|undo|replay`: the response actions, beside a running Warden. */
import { UsageError, writeLine, type Command, type CliIO } from '../command.js';
import { parse, withStateStores } from '../options.js';
import { ApiKeyStore } from '../../identity/index.js';
import { ResponseEngine, replayDeadLetters, type ActionRecord, type ActionStatus, type ResponseRepository } from '../../response/index.js';
import type { LoadedConfig } from '../../config/index.js';
import type { StateStores } from '../../app/index.js';

const STATUSES: readonly ActionStatus[] = ['pending', 'active', 'dry_run', 'expired', 'undone', 'rejected', 'failed'];

/**
 * An engine over the state stores `warden start` would use (the data directory's SQLite, or the cluster's
 * PostgreSQL), without a bus: the running Warden publishes what this changes.
 */
export async function cliEngine(loaded: LoadedConfig, stores: StateStores, io: CliIO): Promise<{ engine: ResponseEngine; repo: ResponseRepository }> {
  const repo = stores.response;
  const credentials = await ApiKeyStore.open(stores.apiKeys);
  return { engine: new ResponseEngine({ repo, config: loaded.config.response, credentials, env: io.env }), repo };
}

function line(a: ActionRecord): string {
  return `${a.id}  ${a.status.padEnd(8)} ${a.type.padEnd(18)} ${`${a.target.type}::${a.target.id}`.padEnd(28)} ${a.playbook.padEnd(20)} ${a.expiresAt ?? '-'}`;
}

export const responseListCommand: Command = {
  name: 'response list',
  summary: 'list response actions (newest first)',
  usage: `usage: warden response list [--status ${STATUSES.join('|')}] [--limit N] [--json] [--data-dir D] [--config FILE]`,
  async run(args, io) {
    const { values } = parse(args, { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
    if (values.status !== undefined && !STATUSES.includes(values.status as ActionStatus)) throw new UsageError(`--status: expected one of ${STATUSES.join(', ')}`);
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit: expected an integer from 1 to 10000');
    return withStateStores(values, io, async ({ loaded, stores }) => {
      const { repo } = await cliEngine(loaded, stores, io);
      const actions = await repo.listActions({ ...(values.status ? { status: [values.status as ActionStatus] } : {}), limit });
      if (values.json) for (const a of actions) writeLine(io.stdout, JSON.stringify(a));
      else {
        writeLine(io.stdout, 'ID                                        STATUS   TYPE               TARGET                       PLAYBOOK             UNTIL');
        for (const a of actions) writeLine(io.stdout, line(a));
      }
      return 0;
    });
  },
};

export const responseShowCommand: Command = {
  name: 'response show',
  summary: 'show one response action as JSON',
  usage: 'usage: warden response show ID [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values, positionals } = parse(args, {}, true);
    if (positionals.length !== 1) throw new UsageError('give exactly one action id');
    return withStateStores(values, io, async ({ loaded, stores }) => {
      const { engine } = await cliEngine(loaded, stores, io);
      writeLine(io.stdout, JSON.stringify(await engine.require(positionals[0]!), null, 2));
      return 0;
    });
  },
};

function decision(verb: 'approve' | 'reject' | 'undo', summary: string): Command {
  return {
    name: `response ${verb}`,
    summary,
    usage: `usage: warden response ${verb} ID [--as NAME] [--data-dir D] [--config FILE]\n\nA running Warden with the same data directory applies it within a second.`,
    async run(args, io) {
      const { values, positionals } = parse(args, { as: { type: 'string' } }, true);
      if (positionals.length !== 1) throw new UsageError('give exactly one action id');
      const actor = `cli:${values.as ?? io.env.USER ?? 'unknown'}`;
      return withStateStores(values, io, async ({ loaded, stores }) => {
        const { engine } = await cliEngine(loaded, stores, io);
        const action = await engine[verb](positionals[0]!, actor);
        writeLine(io.stdout, `${action.id} is ${action.status}`);
        return 0;
      });
    },
  };
}

export const responseApproveCommand = decision('approve', 'approve a pending response action (it takes effect)');
export const responseRejectCommand = decision('reject', 'reject a pending response action');
export const responseUndoCommand = decision('undo', 'undo a response action in force (API keys it revoked stay revoked)');

export const responseReplayCommand: Command = {
  name: 'response replay',
  summary: 'send dead-lettered webhook notifications again (all, or one by id)',
  usage: 'usage: warden response replay [ID] [--data-dir D] [--config FILE]\n\nA running Warden delivers them within a second.',
  async run(args, io) {
    const { values, positionals } = parse(args, {}, true);
    if (positionals.length > 1) throw new UsageError('give at most one notification id');
    return withStateStores(values, io, async ({ loaded, stores }) => {
      const { repo } = await cliEngine(loaded, stores, io);
      const n = await replayDeadLetters(repo, positionals[0]);
      writeLine(io.stdout, `${n} notification${n === 1 ? '' : 's'} queued again`);
      return positionals[0] !== undefined && n === 0 ? 1 : 0;
    });
  },
};
