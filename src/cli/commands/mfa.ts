/**
 * `warden mfa ...`: enrolment links, TOTP enrolment, and approving a pending step-up from a terminal (the
 * owner of an API key verifies a code; the running Warden picks the elevation up within a second). Every
 * event (an enrolment, a failed code, a lock-out) is kept for the running Warden's audit log.
 */
import { UsageError, writeLine, type Command, type CliIO } from '../command.js';
import { parse } from '../options.js';
import { cliActor, withAuditedStore, type AuditedStore } from '../audited-store.js';
import { createLogger } from '../../core/index.js';
import { Directory } from '../../identity/index.js';
import { createMfa, issueEnrolLink, openStepUpState, type Mfa } from '../../mfa/index.js';
import { type LoadedConfig, isLoopbackHost } from '../../config/index.js';
import { redisUrlOf } from '../../cluster/index.js';

/**
 * Runs `fn` with the step-up module on the store, and its lock-out in the cluster's Redis when configured:
 * a code verified here counts against the same lock-out as on every running instance (not per command run).
 */
export async function withMfa<T>({ loaded, stores, bus }: AuditedStore, io: CliIO, fn: (mfa: Mfa) => Promise<T>): Promise<T> {
  const { config } = loaded;
  const logger = createLogger('silent');
  const state = await openStepUpState(config.mfa, redisUrlOf(config.cluster, io.env).url, logger);
  try {
    return await fn(createMfa({ config, repo: stores.mfa, bus, logger, directory: new Directory(config.principals, config.devices), env: io.env, instanceId: 'cli', state }));
  } finally {
    await state.close();
  }
}

function publicUrl(loaded: LoadedConfig, flag: string | undefined): string {
  const { server, mfa } = loaded.config;
  return (flag ?? (mfa.publicUrl || `http://${isLoopbackHost(server.host) ? 'localhost' : server.host}:${server.port}`)).replace(/\/$/, '');
}

export const mfaEnrolLinkCommand: Command = {
  name: 'mfa enrol-link',
  summary: 'issue a one-time link for a principal to enrol a factor (TOTP or passkey)',
  usage: 'usage: warden mfa enrol-link --principal ID [--ttl SECONDS] [--url PUBLIC-URL] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values } = parse(args, { principal: { type: 'string' }, ttl: { type: 'string' }, url: { type: 'string' } });
    if (!values.principal) throw new UsageError('--principal is required');
    const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 60 || ttl > 30 * 86_400)) throw new UsageError('--ttl: seconds between 60 and 2592000');
    return withAuditedStore(values, io, async ({ loaded, stores, bus }) => {
      const link = await issueEnrolLink(stores.mfa, bus, { principal: values.principal!, createdBy: cliActor(io), ttlSeconds: ttl ?? loaded.config.mfa.enrolLinkTtlSeconds, source: 'cli' });
      writeLine(io.stdout, `enrolment link for ${values.principal}, usable once until ${link.expiresAt}:`);
      writeLine(io.stdout, publicUrl(loaded, values.url) + link.path);
      return 0;
    });
  },
};

export const mfaTotpEnrolCommand: Command = {
  name: 'mfa totp',
  summary: 'enrol a TOTP factor for a principal (the secret is printed once), then confirm it with a code',
  usage: 'usage: warden mfa totp --principal ID [--confirm FACTOR-ID --code CODE] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values } = parse(args, { principal: { type: 'string' }, confirm: { type: 'string' }, code: { type: 'string' } });
    if (!values.principal) throw new UsageError('--principal is required');
    if ((values.confirm === undefined) !== (values.code === undefined)) throw new UsageError('--confirm and --code go together');
    return withAuditedStore(values, io, (store) => withMfa(store, io, async (mfa) => {
      const actor = cliActor(io);
      if (values.confirm !== undefined) {
        const { recoveryCodes } = await mfa.totp.confirm(values.principal!, values.confirm, values.code!, actor);
        writeLine(io.stdout, `confirmed ${values.confirm}`);
        if (recoveryCodes.length) writeLine(io.stdout, `recovery codes (each works once; not shown again):\n${recoveryCodes.join('\n')}`);
        return 0;
      }
      const enrolment = await mfa.totp.enrol(values.principal!, 'authenticator app', actor);
      writeLine(io.stdout, `factor ${enrolment.factorId} for ${values.principal}: add it to an authenticator app, then run`);
      writeLine(io.stdout, `  warden mfa totp --principal ${values.principal} --confirm ${enrolment.factorId} --code <CODE>`);
      writeLine(io.stdout, `secret: ${enrolment.secret}`);
      writeLine(io.stdout, enrolment.uri);
      return 0;
    }));
  },
};

export const mfaApproveCommand: Command = {
  name: 'mfa approve',
  summary: "complete a pending step-up (the decision id from the 401) with the principal's TOTP or recovery code",
  usage: 'usage: warden mfa approve DECISION-ID --code CODE [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values, positionals } = parse(args, { code: { type: 'string' } }, true);
    if (positionals.length !== 1) throw new UsageError('give exactly one decision id');
    if (!values.code) throw new UsageError('--code is required');
    return withAuditedStore(values, io, (store) => withMfa(store, io, async (mfa) => {
      const challenge = await mfa.stepUps.pending(positionals[0]!);
      const code = values.code!.trim();
      const amr = /^\d{6}$/.test(code) ? await mfa.totp.verify(challenge.principal, code) : await mfa.totp.verifyRecoveryCode(challenge.principal, code);
      const { elevatedUntil } = await mfa.stepUps.complete(challenge, amr);
      writeLine(io.stdout, elevatedUntil ? `approved: the API key is elevated until ${elevatedUntil}` : 'approved: the client can now redeem its session token');
      return 0;
    }));
  },
};
