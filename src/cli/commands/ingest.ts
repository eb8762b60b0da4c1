/**
 * `warden ingest --format cloudtrail|entra|okta|sshd FILE`: imports another system's log into the risk
 * engine's baselines and detections (offline; with Warden running, POST /admin/ingest instead so that the
 * live engine sees it). Malformed records are reported with their line numbers; the rest is imported.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, writeLine, type Command } from '../command.js';
import { openStore, parse } from '../options.js';
import { createRiskEngine, isLogFormat, LOG_FORMATS, parseLog, riskConfigSchema } from '../../risk/index.js';

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'import CloudTrail, Entra ID, Okta or sshd logs into the risk engine',
  usage: `usage: warden ingest --format ${LOG_FORMATS.join('|')} FILE|- [--json] [--config F] [--data-dir D]`,
  async run(args, io) {
    const { values, positionals } = parse(args, { format: { type: 'string' }, json: { type: 'boolean' } }, true);
    const format = values.format ?? '';
    if (!isLogFormat(format)) throw new UsageError(`--format: expected one of ${LOG_FORMATS.join(', ')}`);
    if (positionals.length !== 1) throw new UsageError('give exactly one FILE (or - for standard input)');
    const file = positionals[0]!;
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : resolve(io.cwd, file), 'utf8');
    } catch (error) {
      writeLine(io.stderr, `warden ingest: cannot read \`${file}\`: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return 1;
    }
    const result = parseLog(text, format, { maxErrors: 10_000 });
    const { loaded, db } = openStore(values, io);
    try {
      const config = riskConfigSchema.parse((loaded.config as unknown as Record<string, unknown>).risk ?? {});
      const engine = createRiskEngine({ db, config: { ...config, persistIntervalSeconds: 0 } });
      let detections = 0;
      for (const event of result.events) detections += engine.process(event).length;
      engine.close();
      const summary = { file, format, records: result.records, events: result.events.length, skipped: result.skipped, malformed: result.errorCount, detections };
      if (values.json) writeLine(io.stdout, JSON.stringify({ ...summary, errors: result.errors }));
      else {
        writeLine(io.stdout, `${file}: ${result.records} records, ${result.events.length} events imported, ${result.skipped} skipped, ${result.errorCount} malformed, ${detections} detections`);
        for (const e of result.errors) writeLine(io.stderr, `${file}:${e.line}: ${e.message}`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
