import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, writeLine, type CliIO, type Command } from '../command.js';
import { configFor, parse, withStateStores } from '../options.js';
import { resolveConfigPath, type LoadedConfig } from '../../config/index.js';
import { Directory } from '../../identity/index.js';
import { authorizeSchema, dryRun, NO_RISK } from '../../gateway/index.js';
import { BundleError, PolicyDecisionPoint, compileBundle, formatProblems, readBundle, type PolicyBundle } from '../../policy/index.js';

const BUNDLE_OPTIONS = { schema: { type: 'string' }, entities: { type: 'string' } } as const;

function bundleFrom(dir: string, values: { schema?: string | undefined; entities?: string | undefined }, loaded: LoadedConfig, io: CliIO): PolicyBundle {
  const { policy } = loaded.config;
  const schema = values.schema ? resolve(io.cwd, values.schema) : policy.schemaFile ? resolveConfigPath(loaded, policy.schemaFile) : '';
  const entities = values.entities ? resolve(io.cwd, values.entities) : policy.entitiesFile ? resolveConfigPath(loaded, policy.entitiesFile) : '';
  return readBundle(resolve(io.cwd, dir), schema, entities);
}

function reportBundleError(error: unknown, io: CliIO): number {
  if (!(error instanceof BundleError)) throw error;
  writeLine(io.stderr, `${error.message}${error.problems.length ? '\n' + formatProblems(error.problems) : ''}`);
  return 1;
}

export const policyValidateCommand: Command = {
  name: 'policy validate',
  summary: 'validate a directory of Cedar policies against the schema',
  usage: 'usage: warden policy validate DIR [--schema FILE] [--entities FILE] [--config FILE]',
  async run(args, io) {
    const { values, positionals } = parse(args, BUNDLE_OPTIONS, true);
    if (positionals.length !== 1) throw new UsageError('give one policy directory');
    try {
      const bundle = bundleFrom(positionals[0]!, values, configFor(values, io), io);
      const compiled = compileBundle(bundle);
      writeLine(io.stdout, `valid: ${Object.keys(bundle.files).length} files, ${compiled.annotations.size} policies`);
      return 0;
    } catch (error) {
      return reportBundleError(error, io);
    }
  },
};

export const policyShowCommand: Command = {
  name: 'policy show',
  summary: 'show the active policy version (or list versions with --versions)',
  usage: 'usage: warden policy show [--versions] [--json] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values } = parse(args, { versions: { type: 'boolean' }, json: { type: 'boolean' } });
    return withStateStores(values, io, async ({ stores }) => {
      const store = stores.policies;
      if (values.versions) {
        for (const v of await store.list()) writeLine(io.stdout, values.json ? JSON.stringify(v) : `${v.active ? '*' : ' '} v${v.version}  ${v.createdAt}  ${v.createdBy}  ${v.digest.slice(0, 12)}`);
        return 0;
      }
      const version = await store.activeVersion();
      const bundle = version === undefined ? undefined : await store.get(version);
      if (!bundle) {
        writeLine(io.stderr, 'no active policy version (start Warden once, or run `warden policy activate DIR`)');
        return 1;
      }
      if (values.json) writeLine(io.stdout, JSON.stringify({ version, ...bundle }));
      else {
        writeLine(io.stdout, `active version: v${version}`);
        for (const [file, text] of Object.entries(bundle.files)) writeLine(io.stdout, `\n// ---- ${file}\n${text.trimEnd()}`);
      }
      return 0;
    });
  },
};

export const policyActivateCommand: Command = {
  name: 'policy activate',
  summary: 'validate a policy directory and make it the active version (a running Warden picks it up)',
  usage: 'usage: warden policy activate DIR [--schema FILE] [--entities FILE] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values, positionals } = parse(args, BUNDLE_OPTIONS, true);
    if (positionals.length !== 1) throw new UsageError('give one policy directory');
    return withStateStores(values, io, async ({ loaded, stores }) => {
      try {
        const bundle = bundleFrom(positionals[0]!, values, loaded, io);
        compileBundle(bundle);
        const version = await stores.policies.save(bundle, `cli:${io.env.USER ?? 'unknown'}`);
        await stores.policies.activate(version, `cli:${io.env.USER ?? 'unknown'}`);
        writeLine(io.stdout, `activated policy version v${version}`);
        return 0;
      } catch (error) {
        return reportBundleError(error, io);
      }
    });
  },
};

export const policyDryRunCommand: Command = {
  name: 'policy dry-run',
  summary: 'decide requests with a candidate policy directory and compare with the active version',
  usage: `usage: warden policy dry-run DIR --requests FILE.json [--schema FILE] [--entities FILE] [--data-dir D] [--config FILE]

FILE.json holds an array of /v1/authorize request bodies. Prints one JSON line per request and a summary.`,
  async run(args, io) {
    const { values, positionals } = parse(args, { ...BUNDLE_OPTIONS, requests: { type: 'string' } }, true);
    if (positionals.length !== 1 || !values.requests) throw new UsageError('give one policy directory and --requests FILE');
    const requests = authorizeSchema.array().safeParse(JSON.parse(readFileSync(resolve(io.cwd, values.requests), 'utf8')));
    if (!requests.success) throw new UsageError(`--requests: ${requests.error.issues[0]?.path.join('.')}: ${requests.error.issues[0]?.message}`);
    return withStateStores(values, io, async ({ loaded, stores }) => {
      try {
        const activeVersion = await stores.policies.activeVersion();
        const activeBundle = activeVersion === undefined ? undefined : await stores.policies.get(activeVersion);
        const candidate = new PolicyDecisionPoint('wasm');
        candidate.load(0, bundleFrom(positionals[0]!, values, loaded, io));
        const active = activeBundle ? new PolicyDecisionPoint('wasm') : undefined;
        active?.load(activeVersion!, activeBundle!);
        const results = dryRun(requests.data, { candidate, ...(active ? { active } : {}), directory: new Directory(loaded.config.principals, loaded.config.devices), risk: { snapshot: () => NO_RISK } });
        for (const r of results) writeLine(io.stdout, JSON.stringify({ principal: r.principal, action: r.action, resource: r.resource, active: r.active?.decision ?? null, candidate: r.candidate.decision, policies: r.candidate.policyIds }));
        const changed = results.filter((r) => r.changed).length;
        writeLine(io.stdout, `${requests.data.length} requests, ${changed} decisions change`);
        return 0;
      } catch (error) {
        return reportBundleError(error, io);
      }
    });
  },
};
