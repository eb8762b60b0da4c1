/**
 * Log connectors: turn another system's export into Warden events, record by record. Every record is
 * accounted for: it becomes events, or it is skipped with a stated reason, or it is malformed and
 * reported with its line number; a malformed record never stops the import.
 *
 * @example
 * const result = parseLog(readFileSync('/var/log/auth.log', 'utf8'), 'syslog');
 * result.events.forEach((e) => engine.process(e));
 * result.skippedByReason; // { 'sshd: connection ended before authentication': 413, 'other program: cron': 12 }
 */
import type { WardenEvent } from '../../core/index.js';
import { parseAuditLine } from './auditd.js';
import { parseCloudTrail } from './cloudtrail.js';
import { parseEntra } from './entra.js';
import { parseOkta } from './okta.js';
import { splitJsonRecords } from './records.js';
import { SyslogReader } from './syslog/reader.js';
import type { SyslogOptions } from './syslog/header.js';
import { Skip, Tally } from './tally.js';
import { parseWindows } from './windows.js';

/** `sshd` is the syslog reader under its former name (an auth log holds sshd and the rest). */
export const LOG_FORMATS = ['syslog', 'sshd', 'auditd', 'windows', 'cloudtrail', 'entra', 'okta'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ParseResult {
  format: LogFormat;
  /** Records read (including malformed and skipped ones). */
  records: number;
  /** Records that became at least one event. */
  converted: number;
  events: WardenEvent[];
  /** Well-formed records that carry nothing the risk engine uses, or repeat what another record carries. */
  skipped: number;
  skippedByReason: Record<string, number>;
  errorCount: number;
  /** The first `maxErrors` malformed records, by line. */
  errors: { line: number; message: string }[];
  malformedByReason: Record<string, number>;
}

/** What a parse did, as `warden ingest` and `POST /admin/ingest` report it: every record accounted for. */
export function parseCounts(result: ParseResult): Record<string, unknown> {
  return {
    records: result.records,
    converted: result.converted,
    events: result.events.length,
    skipped: result.skipped,
    skippedByReason: result.skippedByReason,
    malformed: result.errorCount,
    malformedByReason: result.malformedByReason,
  };
}

export interface ParseOptions extends SyslogOptions {
  /** Most errors listed (all are counted). */
  maxErrors?: number | undefined;
  /** Host name for audit records without `node=` (default `localhost`). */
  host?: string | undefined;
}

/** auditd caps a record at 8,970 bytes (MAX_AUDIT_MESSAGE_LENGTH); anything far longer is not one. */
const MAX_AUDIT_LINE = 65_536;

type JsonFormat = 'cloudtrail' | 'entra' | 'okta' | 'windows';
const JSON_PARSERS: Record<JsonFormat, (record: unknown) => WardenEvent[] | Skip> = {
  cloudtrail: parseCloudTrail,
  entra: parseEntra,
  okta: parseOkta,
  windows: parseWindows,
};

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

function take(tally: Tally, out: WardenEvent[] | Skip): void {
  if (out instanceof Skip) tally.skip(out.reason);
  else if (out.length === 0) tally.skip('record carries no event');
  else tally.convert(out);
}

export function parseLog(text: string, format: LogFormat, options: ParseOptions = {}): ParseResult {
  const tally = new Tally(options.maxErrors ?? 1000);
  if (format === 'syslog' || format === 'sshd') {
    const reader = new SyslogReader(tally, options);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) reader.line(lines[i]!, i + 1);
    reader.finish();
  } else if (format === 'auditd') {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.trim()) continue;
      tally.read();
      if (lines[i]!.length > MAX_AUDIT_LINE) {
        tally.fail(i + 1, `line longer than ${MAX_AUDIT_LINE} characters`);
        continue;
      }
      try {
        take(tally, parseAuditLine(lines[i]!, options.host));
      } catch (error) {
        tally.fail(i + 1, (error as Error).message);
      }
    }
  } else {
    const parse = JSON_PARSERS[format];
    const split = splitJsonRecords(text);
    for (const e of split.errors) {
      tally.read();
      tally.fail(e.line, e.message);
    }
    for (const raw of split.records) {
      tally.read();
      let value: unknown;
      try {
        value = JSON.parse(raw.text);
      } catch {
        tally.fail(raw.line, 'not valid JSON');
        continue;
      }
      try {
        take(tally, parse(value));
      } catch (error) {
        tally.fail(raw.line, (error as Error).message);
      }
    }
  }
  return {
    format,
    records: tally.records,
    converted: tally.converted,
    events: tally.events,
    skipped: tally.skippedTotal,
    skippedByReason: Object.fromEntries([...tally.skipped].sort((a, b) => b[1] - a[1])),
    errorCount: tally.errorCount,
    errors: tally.errors,
    malformedByReason: Object.fromEntries([...tally.malformed].sort((a, b) => b[1] - a[1])),
  };
}

export { parseCloudTrail, parseEntra, parseOkta, parseWindows, parseAuditLine, SyslogReader, Tally };
