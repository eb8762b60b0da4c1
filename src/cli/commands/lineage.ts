/** `warden lineage add|show`: dataset -> training run -> model edges, and what is up/downstream. */
import { parseArgs } from 'node:util';
import { UsageError, writeLine, type Command } from '../command.js';
import { ACTOR_OPTIONS, actorFrom, COMMON_OPTIONS, json, reportError, withIntegrity } from '../integrity-context.js';

export const lineageAddCommand: Command = {
  name: 'lineage add',
  summary: 'record that an asset was derived from another (e.g. dataset -> run -> model)',
  usage: 'usage: warden lineage add --from UPSTREAM --to DOWNSTREAM [--run RUN_ID] [--actor NAME] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, ...ACTOR_OPTIONS, from: { type: 'string' }, to: { type: 'string' }, run: { type: 'string' } } });
    if (!values.from || !values.to) throw new UsageError('--from and --to are required');
    try {
      return await withIntegrity(io, values, async (integrity) => {
        const edge = await integrity.lineage.add({ upstream: values.from as string, downstream: values.to as string, ...(values.run ? { runId: values.run } : {}) }, actorFrom(values));
        if (values.json) json(io, { edge });
        else writeLine(io.stdout, `recorded ${edge.upstreamId} -> ${edge.runId ? `[run ${edge.runId}] -> ` : ''}${edge.downstreamId}`);
        return 0;
      });
    } catch (error) {
      return reportError(io, 'lineage add', error);
    }
  },
};

export const lineageShowCommand: Command = {
  name: 'lineage show',
  summary: 'print what is upstream and downstream of an asset',
  usage: 'usage: warden lineage show ASSET [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COMMON_OPTIONS } });
    if (positionals.length !== 1) throw new UsageError('give one ASSET id');
    try {
      return await withIntegrity(io, values, async (integrity) => {
        const shown = await integrity.lineage.show(positionals[0] as string);
        if (values.json) {
          json(io, shown);
          return 0;
        }
        const suspect = new Set((await integrity.registry.list()).filter((a) => a.suspect).map((a) => a.id));
        const mark = (id: string): string => (suspect.has(id) ? `${id} (SUSPECT)` : id);
        writeLine(io.stdout, `asset ${mark(shown.asset)}`);
        writeLine(io.stdout, 'upstream:');
        for (const e of shown.upstream) writeLine(io.stdout, `  ${mark(e.upstreamId)} -> ${e.runId ? `[run ${e.runId}] -> ` : ''}${mark(e.downstreamId)}  (by ${e.recordedBy}, ${e.recordedAt})`);
        if (!shown.upstream.length) writeLine(io.stdout, '  (none)');
        writeLine(io.stdout, 'downstream:');
        for (const e of shown.downstream) writeLine(io.stdout, `  ${mark(e.upstreamId)} -> ${e.runId ? `[run ${e.runId}] -> ` : ''}${mark(e.downstreamId)}  (by ${e.recordedBy}, ${e.recordedAt})`);
        if (!shown.downstream.length) writeLine(io.stdout, '  (none)');
        return 0;
      });
    } catch (error) {
      return reportError(io, 'lineage show', error);
    }
  },
};
