/** `warden assets add|list|show|verify`: the asset registry. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, writeLine, type Command } from '../command.js';
import type { Asset } from '../../integrity/index.js';
import { ACTOR_OPTIONS, actorFrom, COMMON_OPTIONS, json, reportError, withIntegrity } from '../integrity-context.js';

function describe(a: Asset): string {
  return [
    `id            ${a.id}`,
    `kind          ${a.kind}`,
    `name          ${a.name}`,
    `location      ${a.location}`,
    `owner         ${a.owner}`,
    `sensitivity   ${a.sensitivity}`,
    `status        ${a.status}${a.statusDetail ? ` (${a.statusDetail})` : ''}`,
    `verified      ${a.verified}`,
    `signer        ${a.signer || '-'}`,
    `expected      ${a.expectedSigner ?? '-'}`,
    `digest        ${a.verifiedDigest ? `sha256:${a.verifiedDigest}` : '-'}`,
    `last verified ${a.lastVerified ? new Date(a.lastVerified * 1000).toISOString() : 'never'}`,
    `suspect       ${a.suspect ? `yes: ${a.suspectReason ?? ''}` : 'no'}`,
  ].join('\n');
}

export const assetsAddCommand: Command = {
  name: 'assets add',
  summary: 'register a model or dataset (path, owner, sensitivity, expected signer)',
  usage: `usage: warden assets add --kind model|dataset --path PATH --owner OWNER [--id ID] [--name NAME]
         [--sensitivity public|internal|confidential|restricted] [--signer-key PUBLIC.pem]
         [--method files|shards] [--actor NAME] [--data-dir DIR] [--json]`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...COMMON_OPTIONS, ...ACTOR_OPTIONS, kind: { type: 'string' }, path: { type: 'string' }, owner: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, sensitivity: { type: 'string' }, 'signer-key': { type: 'string' }, method: { type: 'string' } },
    });
    if (positionals.length) throw new UsageError(`unexpected argument \`${positionals[0]}\``);
    if (!values.kind || !values.path || !values.owner) throw new UsageError('--kind, --path and --owner are required');
    const location = /^[a-z][a-z0-9+.-]*:\/\//i.test(values.path) ? values.path : resolve(io.cwd, values.path);
    try {
      return await withIntegrity(io, values, async (integrity) => {
        const { asset, check } = await integrity.addAsset(
          {
            kind: values.kind as 'model',
            location,
            owner: values.owner as string,
            ...(values.id ? { id: values.id } : {}),
            ...(values.name ? { name: values.name } : {}),
            ...(values.sensitivity ? { sensitivity: values.sensitivity as 'internal' } : {}),
            ...(values['signer-key'] ? { signerPublicKey: readFileSync(resolve(io.cwd, values['signer-key']), 'utf8') } : {}),
            ...(values.method ? { method: values.method as 'files' } : {}),
          },
          actorFrom(values),
        );
        if (values.json) json(io, { asset, check });
        else writeLine(io.stdout, `registered\n${describe(asset)}`);
        return 0;
      });
    } catch (error) {
      return reportError(io, 'assets add', error);
    }
  },
};

export const assetsListCommand: Command = {
  name: 'assets list',
  summary: 'list registered models and datasets',
  usage: 'usage: warden assets list [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS } });
    return withIntegrity(io, values, async (integrity) => {
      const assets = await integrity.registry.list();
      if (values.json) json(io, { assets });
      else {
        writeLine(io.stdout, `${'ID'.padEnd(24)} ${'KIND'.padEnd(8)} ${'STATUS'.padEnd(12)} ${'VERIFIED'.padEnd(9)} ${'SUSPECT'.padEnd(8)} LOCATION`);
        for (const a of assets) writeLine(io.stdout, `${a.id.padEnd(24)} ${a.kind.padEnd(8)} ${a.status.padEnd(12)} ${String(a.verified).padEnd(9)} ${String(a.suspect).padEnd(8)} ${a.location}`);
      }
      return 0;
    });
  },
};

export const assetsShowCommand: Command = {
  name: 'assets show',
  summary: 'show one registered asset',
  usage: 'usage: warden assets show ID [--verify] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COMMON_OPTIONS, verify: { type: 'boolean', default: false } } });
    if (positionals.length !== 1) throw new UsageError('give one asset ID');
    try {
      return await withIntegrity(io, values, async (integrity) => {
        const id = positionals[0] as string;
        await integrity.registry.require(id);
        const check = values.verify ? await integrity.verifier.check(id, 'cli') : undefined;
        const asset = await integrity.registry.require(id);
        if (values.json) json(io, { asset, ...(check ? { check } : {}) });
        else writeLine(io.stdout, describe(asset) + (check ? `\ncheck         ${check.result}` : ''));
        return 0;
      });
    } catch (error) {
      return reportError(io, 'assets show', error);
    }
  },
};
