/** `warden audit proof inclusion|consistency`: RFC 9162 proofs from the stored log, as JSON. */
import { consistencyProof, inclusionProof, openAuditView } from '../../audit/index.js';
import { UsageError, writeLine, type Command } from '../command.js';
import { parse } from '../options.js';
import { auditContext, intFlag, refuseClusterLog } from './audit-common.js';

export const auditProofCommand: Command = {
  name: 'audit proof',
  summary: 'print an inclusion or consistency proof (RFC 9162) as JSON',
  usage: [
    'usage: warden audit proof inclusion --index I [--size N] [--data-dir D] [--config FILE]',
    '       warden audit proof consistency --from M [--to N] [--data-dir D] [--config FILE]',
    '',
    'N defaults to the latest checkpoint\'s tree size, so the proof checks against a signed root.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parse(args, { index: { type: 'string' }, size: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } }, true);
    const kind = positionals[0];
    if (kind !== 'inclusion' && kind !== 'consistency') throw new UsageError('say `inclusion` or `consistency`');
    refuseClusterLog(io, 'audit proof');
    const ctx = auditContext(values, io);
    const view = openAuditView(ctx.dataDir);
    try {
      const latest = view.checkpointNotes(0, 1_000_000).at(-1);
      const hex = (b: Buffer): string => b.toString('hex');
      if (kind === 'inclusion') {
        const index = intFlag(values.index, '--index');
        if (index === undefined) throw new UsageError('--index is required');
        const size = intFlag(values.size, '--size') ?? latest?.size ?? view.size();
        if (index >= size || size > view.size()) throw new UsageError(`--index must be below --size, and --size at most ${view.size()}`);
        const leaf = view.readRaw(index, 1)[0]!;
        writeLine(io.stdout, JSON.stringify({
          index,
          treeSize: size,
          leafHash: hex(leaf.leafHash),
          rootHash: hex(view.subtreeHash(0, size)),
          proof: inclusionProof(index, size, view.subtreeHash).map(hex),
          ...(latest && latest.size === size ? { checkpoint: latest.note } : {}),
        }));
      } else {
        const from = intFlag(values.from, '--from');
        if (from === undefined) throw new UsageError('--from is required');
        const to = intFlag(values.to, '--to') ?? latest?.size ?? view.size();
        if (from > to || to > view.size()) throw new UsageError(`need --from <= --to <= ${view.size()}`);
        writeLine(io.stdout, JSON.stringify({
          fromSize: from,
          toSize: to,
          fromRoot: hex(view.subtreeHash(0, from)),
          toRoot: hex(view.subtreeHash(0, to)),
          proof: consistencyProof(from, to, view.subtreeHash).map(hex),
        }));
      }
      return 0;
    } finally {
      view.close();
    }
  },
};
