/** `warden audit proof inclusion|consistency`: RFC 9162 proofs from the stored log, as JSON. */
import { consistencyProof, inclusionProof } from '../../audit/index.js';
import { UsageError, writeLine, type Command } from '../command.js';
import { parse } from '../options.js';
import { auditContext, intFlag, openStoredLog, type StoredLog } from './audit-common.js';

/**
 * Runs a proof over a log that may answer asynchronously: the subtree hashes the proof asks for are
 * collected on a first pass, read, and the proof computed again from them.
 */
async function proofWith(view: StoredLog, prove: (hash: (start: number, end: number) => Buffer) => Buffer[]): Promise<Buffer[]> {
  const known = new Map<string, Buffer>();
  for (;;) {
    const wanted: [number, number][] = [];
    const proof = prove((start, end) => {
      const hash = known.get(`${start}:${end}`);
      if (hash) return hash;
      wanted.push([start, end]);
      return Buffer.alloc(32);
    });
    if (wanted.length === 0) return proof;
    for (const [start, end] of wanted) known.set(`${start}:${end}`, await view.subtreeHash(start, end));
  }
}

export const auditProofCommand: Command = {
  name: 'audit proof',
  summary: 'print an inclusion or consistency proof (RFC 9162) as JSON',
  usage: [
    'usage: warden audit proof inclusion --index I [--size N] [--data-dir D] [--config FILE]',
    '       warden audit proof consistency --from M [--to N] [--data-dir D] [--config FILE]',
    '',
    'N defaults to the latest checkpoint\'s tree size, so the proof checks against a signed root.',
    'With WARDEN_DATABASE_URL, the proof is from the cluster\'s log.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parse(args, { index: { type: 'string' }, size: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } }, true);
    const kind = positionals[0];
    if (kind !== 'inclusion' && kind !== 'consistency') throw new UsageError('say `inclusion` or `consistency`');
    const ctx = auditContext(values, io);
    const view = await openStoredLog(ctx, io);
    try {
      const latest = (await view.checkpointNotes(0, 1_000_000)).at(-1);
      const stored = await view.size();
      const hex = (b: Buffer): string => b.toString('hex');
      if (kind === 'inclusion') {
        const index = intFlag(values.index, '--index');
        if (index === undefined) throw new UsageError('--index is required');
        const size = intFlag(values.size, '--size') ?? latest?.size ?? stored;
        if (index >= size || size > stored) throw new UsageError(`--index must be below --size, and --size at most ${stored}`);
        const leaf = (await view.readRaw(index, 1))[0]!;
        writeLine(io.stdout, JSON.stringify({
          index,
          treeSize: size,
          leafHash: hex(leaf.leafHash),
          rootHash: hex(await view.subtreeHash(0, size)),
          proof: (await proofWith(view, (hash) => inclusionProof(index, size, hash))).map(hex),
          ...(latest && latest.size === size ? { checkpoint: latest.note } : {}),
        }));
      } else {
        const from = intFlag(values.from, '--from');
        if (from === undefined) throw new UsageError('--from is required');
        const to = intFlag(values.to, '--to') ?? latest?.size ?? stored;
        if (from > to || to > stored) throw new UsageError(`need --from <= --to <= ${stored}`);
        writeLine(io.stdout, JSON.stringify({
          fromSize: from,
          toSize: to,
          fromRoot: hex(await view.subtreeHash(0, from)),
          toRoot: hex(await view.subtreeHash(0, to)),
          proof: (await proofWith(view, (hash) => consistencyProof(from, to, hash))).map(hex),
        }));
      }
      return 0;
    } finally {
      await view.close();
    }
  },
};
