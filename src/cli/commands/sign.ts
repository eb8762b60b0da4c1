/** `warden sign PATH --key PRIVATE.pem`: writes an OpenSSF model-signing signature (`model.sig`). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, writeLine, type Command } from '../command.js';
import { HashPool, integrityConfigSchema, signModel } from '../../integrity/index.js';
import { json, reportError } from '../integrity-context.js';

export const signCommand: Command = {
  name: 'sign',
  summary: 'sign a model or dataset (OpenSSF model-signing, model.sig)',
  usage: `usage: warden sign PATH --key PRIVATE.pem [--method files|shards] [--shard-size BYTES] [--output FILE] [--workers N] [--json]

Hashes every file under PATH (SHA-256, streamed, on worker threads) and writes a Sigstore bundle v0.3
holding a DSSE-signed in-toto statement (predicate https://model_signing/signature/v1.0) to
PATH/model.sig (FILE.sig for a single file). Keys: ECDSA P-256 or P-384, PEM.`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { key: { type: 'string' }, method: { type: 'string' }, 'shard-size': { type: 'string' }, output: { type: 'string' }, workers: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (positionals.length !== 1 || !values.key) throw new UsageError('give one PATH and --key');
    const method = values.method ?? 'files';
    if (method !== 'files' && method !== 'shards') throw new UsageError('--method is `files` or `shards`');
    const shardSize = values['shard-size'] ? Number(values['shard-size']) : undefined;
    if (shardSize !== undefined && (!Number.isInteger(shardSize) || shardSize < 4096)) throw new UsageError('--shard-size must be an integer of at least 4096');
    const config = integrityConfigSchema.parse({});
    const pool = new HashPool({ workers: values.workers ? Number(values.workers) : config.hashWorkers, chunkBytes: config.readChunkBytes });
    try {
      const started = process.hrtime.bigint();
      const result = await signModel(resolve(io.cwd, positionals[0] as string), readFileSync(resolve(io.cwd, values.key)), {
        pool,
        method,
        ...(shardSize ? { shardSize } : {}),
        ...(values.output ? { signaturePath: resolve(io.cwd, values.output) } : {}),
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (values.json) json(io, { signature: result.signaturePath, rootDigest: result.manifest.rootDigest, signer: result.signer, files: result.manifest.items.length, bytes: result.manifest.bytes, seconds });
      else writeLine(io.stdout, `signed ${result.manifest.items.length} ${method === 'files' ? 'files' : 'shards'} (${result.manifest.bytes} bytes) root sha256:${result.manifest.rootDigest}\nsigner ${result.signer}\nwrote ${result.signaturePath}`);
      return 0;
    } catch (error) {
      return reportError(io, 'sign', error);
    } finally {
      await pool.close();
    }
  },
};
