/** `warden verify PATH --key PUBLIC.pem`: checks model.sig and every file; exit 0 verified, 1 not. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, writeLine, type Command } from '../command.js';
import { HashPool, integrityConfigSchema, verifyModel } from '../../integrity/index.js';
import { json, reportError } from '../integrity-context.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'verify a signed model or dataset against a public key',
  usage: `usage: warden verify PATH --key PUBLIC.pem [--signature FILE] [--json]

Checks the signature in PATH/model.sig with the key, re-hashes the files with the signature's settings
and names every added, removed, renamed or modified file. Exit code 0: verified; 1: not verified.`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { key: { type: 'string' }, signature: { type: 'string' }, json: { type: 'boolean', default: false } } });
    if (positionals.length !== 1 || !values.key) throw new UsageError('give one PATH and --key');
    const config = integrityConfigSchema.parse({});
    const pool = new HashPool({ workers: config.hashWorkers, chunkBytes: config.readChunkBytes });
    try {
      const result = await verifyModel(resolve(io.cwd, positionals[0] as string), readFileSync(resolve(io.cwd, values.key)), {
        pool,
        ...(values.signature ? { signaturePath: resolve(io.cwd, values.signature) } : {}),
      });
      if (values.json) {
        const { manifest: _manifest, ...rest } = result;
        json(io, rest);
      } else {
        writeLine(result.ok ? io.stdout : io.stderr, `${result.ok ? 'verified' : 'NOT verified'}: ${result.message}`);
        const d = result.diff;
        if (d) {
          for (const f of d.modified) writeLine(io.stderr, `  modified ${f}`);
          for (const f of d.added) writeLine(io.stderr, `  added    ${f}`);
          for (const f of d.removed) writeLine(io.stderr, `  removed  ${f}`);
          for (const r of d.renamed) writeLine(io.stderr, `  renamed  ${r.from} -> ${r.to}`);
        }
        if (result.ok) writeLine(io.stdout, `signer ${result.signer ?? ''}\nroot sha256:${result.signedDigest ?? ''}`);
      }
      return result.ok ? 0 : 1;
    } catch (error) {
      return reportError(io, 'verify', error);
    } finally {
      await pool.close();
    }
  },
};
