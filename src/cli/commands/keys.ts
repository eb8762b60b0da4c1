import { UsageError, writeLine, type Command } from '../command.js';
import { parse, withStateStores } from '../options.js';
import { ApiKeyStore } from '../../identity/index.js';

export const keysCreateCommand: Command = {
  name: 'keys create',
  summary: 'create an API key (printed once, as the last line)',
  usage: 'usage: warden keys create --principal ID [--name NAME] [--scope S]... [--expires ISO-8601] [--data-dir D] [--config FILE]\n\nScopes: *, chat[:MODEL], embeddings[:MODEL], routes, route:NAME[:ACTION], admin[:AREA], authorize (see README).',
  async run(args, io) {
    const { values } = parse(args, { principal: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string', multiple: true }, expires: { type: 'string' } });
    const principal = values.principal;
    if (!principal) throw new UsageError('--principal is required');
    let expiresAt: Date | undefined;
    if (values.expires) {
      expiresAt = new Date(values.expires);
      if (Number.isNaN(expiresAt.getTime())) throw new UsageError('--expires: expected an ISO-8601 time');
      if (expiresAt.getTime() <= Date.now()) throw new UsageError(`--expires: \`${values.expires}\` is in the past`);
    }
    return withStateStores(values, io, async ({ stores }) => {
      const { key, record } = await (await ApiKeyStore.open(stores.apiKeys)).create({
        principal,
        ...(values.name ? { name: values.name } : {}),
        ...(values.scope ? { scopes: values.scope } : {}),
        ...(expiresAt ? { expiresAt } : {}),
      });
      writeLine(io.stdout, `created key ${record.id} for ${record.principal} (scopes: ${record.scopes.join(' ')}${record.expiresAt ? `, expires ${record.expiresAt}` : ''})`);
      writeLine(io.stdout, 'store it now: it is not shown again');
      writeLine(io.stdout, key);
      return 0;
    });
  },
};

export const keysListCommand: Command = {
  name: 'keys list',
  summary: 'list API keys (never their secrets)',
  usage: 'usage: warden keys list [--principal ID] [--json] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values } = parse(args, { principal: { type: 'string' }, json: { type: 'boolean' } });
    return withStateStores(values, io, async ({ stores }) => {
      const keys = await (await ApiKeyStore.open(stores.apiKeys)).list(values.principal);
      if (values.json) for (const k of keys) writeLine(io.stdout, JSON.stringify(k));
      else {
        writeLine(io.stdout, 'ID            PRINCIPAL        STATUS    SCOPES                   EXPIRES                   CREATED                   LAST USED');
        for (const k of keys) {
          const status = k.revokedAt ? 'revoked' : k.expiresAt && Date.parse(k.expiresAt) <= Date.now() ? 'expired' : 'active';
          const scopes = k.scopes.join(',');
          writeLine(io.stdout, `${k.id}  ${k.principal.padEnd(16)} ${status.padEnd(9)} ${scopes.padEnd(24)} ${(k.expiresAt ?? 'never').padEnd(24)}  ${k.createdAt}  ${k.lastUsedAt ?? '-'}`);
        }
      }
      return 0;
    });
  },
};

export const keysRevokeCommand: Command = {
  name: 'keys revoke',
  summary: 'revoke an API key by id',
  usage: 'usage: warden keys revoke ID [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values, positionals } = parse(args, {}, true);
    if (positionals.length !== 1) throw new UsageError('give exactly one key id');
    return withStateStores(values, io, async ({ stores }) => {
      if (!(await (await ApiKeyStore.open(stores.apiKeys)).revoke(positionals[0]!))) {
        writeLine(io.stderr, `no key \`${positionals[0]}\``);
        return 1;
      }
      writeLine(io.stdout, `revoked ${positionals[0]}`);
      return 0;
    });
  },
};
