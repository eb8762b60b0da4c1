/**
 * `warden ingest --format syslog|auditd|windows|cloudtrail|entra|okta FILE`: imports another system's
 * log into the risk engine. The events go through the durable risk inbox: when a Warden is running on
 * the same data directory it holds the inbox and processes them (one engine, one set of baselines);
 * when none is, this command takes the inbox and processes them itself. Every record is reported:
 * turned into events, counted by reason, or malformed (listed by line on standard error).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { UsageError, writeLine, type Command, type CliIO } from '../command.js';
import { parse, withStore } from '../options.js';
import { createRiskEngine, isLogFormat, LOG_FORMATS, parseCounts, parseLog, rankSources, riskConfigSchema, SqliteRiskInbox, type DetectionRecord, type ParseResult } from '../../risk/index.js';

const POLL_MS = 200;

function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer from ${min} to ${max}`);
  return n;
}

function report(io: CliIO, file: string, r: ParseResult): void {
  writeLine(io.stdout, `${file}: ${r.records} records: ${r.converted} became ${r.events.length} events, ${r.skipped} counted by reason, ${r.errorCount} malformed`);
  const rows = (title: string, counts: Record<string, number>): void => {
    if (Object.keys(counts).length === 0) return;
    writeLine(io.stdout, `  ${title}:`);
    for (const [reason, n] of Object.entries(counts)) writeLine(io.stdout, `  ${String(n).padStart(8)}  ${reason}`);
  };
  rows('counted by reason', r.skippedByReason);
  rows('malformed', r.malformedByReason);
  for (const e of r.errors) writeLine(io.stderr, `${file}:${e.line}: ${e.message}`);
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'import auth, audit, Windows, CloudTrail, Entra ID or Okta logs into the risk engine',
  usage: `usage: warden ingest --format ${LOG_FORMATS.join('|')} FILE|- [--year N] [--host H] [--wait] [--timeout S] [--json] [--config F] [--data-dir D]`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { format: { type: 'string' }, json: { type: 'boolean' }, year: { type: 'string' }, host: { type: 'string' }, wait: { type: 'boolean' }, timeout: { type: 'string' } },
      true,
    );
    const format = values.format ?? '';
    if (!isLogFormat(format)) throw new UsageError(`--format: expected one of ${LOG_FORMATS.join(', ')}`);
    if (positionals.length !== 1) throw new UsageError('give exactly one FILE (or - for standard input)');
    const year = intOption(values.year, 'year', 1970, 9999);
    const timeoutMs = (intOption(values.timeout, 'timeout', 1, 3600) ?? 60) * 1000;
    if (values.host !== undefined && !/^[\w.-]{1,253}$/.test(values.host)) throw new UsageError('--host: expected a host name');
    const file = positionals[0]!;
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : resolve(io.cwd, file), 'utf8');
    } catch (error) {
      writeLine(io.stderr, `warden ingest: cannot read \`${file}\`: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return 1;
    }
    const result = parseLog(text, format, { maxErrors: 10_000, ...(year !== undefined ? { year } : {}), ...(values.host ? { host: values.host } : {}) });
    if (result.records > 0 && result.errorCount >= result.records) {
      // Not one record could be read: the wrong --format or the wrong file, not an empty success.
      report(io, file, result);
      writeLine(io.stderr, `warden ingest: no record of \`${file}\` could be read as ${format}; check --format`);
      return 1;
    }
    return withStore(values, io, async ({ loaded, db }) => {
      const config = riskConfigSchema.parse((loaded.config as unknown as Record<string, unknown>).risk ?? {});
      const inbox = new SqliteRiskInbox(db);
      const origin = `warden ingest ${format} ${file}`;
      const owner = `cli:${hostname()}:${process.pid}`;
      /** An engine that consumes the inbox here, only when no Warden holds it (it would fork the state). */
      const drainHere = (): DetectionRecord[] => {
        const engine = createRiskEngine({ db, config: { ...config, persistIntervalSeconds: 0, inbox: { ...config.inbox, pollMilliseconds: 0 } }, inboxOwner: owner });
        try {
          return engine.drainInbox().detections;
        } finally {
          engine.close();
        }
      };
      const { first, last } = inbox.append(result.events, origin);
      let consumer = inbox.holder(Date.now());
      let detections: DetectionRecord[] | undefined;
      if (consumer === undefined) detections = drainHere();
      else if (values.wait) {
        const deadline = Date.now() + timeoutMs;
        while (inbox.cursor() < last && Date.now() < deadline) {
          if (inbox.holder(Date.now()) === undefined) {
            detections = drainHere(); // the Warden stopped and its lease expired: take over
            consumer = undefined;
            break;
          }
          await delay(POLL_MS);
        }
      }
      const done = inbox.cursor() >= last;
      const summary = {
        file,
        format,
        ...parseCounts(result),
        inbox: { first, last },
        consumer: consumer ?? 'this command',
        processed: done,
        ...(detections ? { detections: detections.length, topSources: rankSources(detections).slice(0, 10) } : {}),
      };
      if (values.json) writeLine(io.stdout, JSON.stringify({ ...summary, errors: result.errors }));
      else {
        report(io, file, result);
        if (detections) {
          writeLine(io.stdout, `processed here (no Warden running): ${result.events.length} events, ${detections.length} detections`);
          rankSources(detections)
            .slice(0, 10)
            .forEach((s, i) => writeLine(io.stdout, `  ${String(i + 1).padStart(2)}. ${s.source}  ${s.score}  ${Object.keys(s.detectors).join(', ')}`));
        } else {
          writeLine(io.stdout, `handed to the running Warden \`${consumer}\` through the risk inbox (entries ${first}-${last}): ${done ? 'processed' : `queued; it processes them within ${config.inbox.pollMilliseconds} ms of polling`}; \`warden detections list\` shows what it found`);
        }
      }
      if (values.wait && !done) {
        writeLine(io.stderr, `warden ingest: the events are queued but were not processed within ${timeoutMs / 1000} s`);
        return 1;
      }
      return 0;
    });
  },
};
