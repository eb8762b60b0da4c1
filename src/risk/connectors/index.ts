/**
 * Log connectors: turn another system's export into Warden events, record by record. A malformed
 * record is counted and reported with its line number; it never stops the import.
 *
 * @example
 * const result = parseLog(readFileSync('trail.json', 'utf8'), 'cloudtrail');
 * result.events.forEach((e) => engine.process(e)); // result.errors: [{ line: 12, message: 'missing `eventTime`' }]
 */
import type { WardenEvent } from '../../core/events.js';
import { parseCloudTrail } from './cloudtrail.js';
import { parseEntra } from './entra.js';
import { parseOkta } from './okta.js';
import { splitJsonRecords } from './records.js';
import { parseSshdLine, type SshdOptions } from './sshd.js';

export const LOG_FORMATS = ['cloudtrail', 'entra', 'okta', 'sshd'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ParseResult {
  format: LogFormat;
  /** Records read (including malformed and skipped ones). */
  records: number;
  events: WardenEvent[];
  /** Well-formed records that carry nothing the risk engine uses (e.g. other syslog programs). */
  skipped: number;
  errors: { line: number; message: string }[];
}

export interface ParseOptions extends SshdOptions {
  /** Most errors listed (all are counted). */
  maxErrors?: number | undefined;
}

const JSON_PARSERS: Record<Exclude<LogFormat, 'sshd'>, (record: unknown) => WardenEvent[]> = {
  cloudtrail: parseCloudTrail,
  entra: parseEntra,
  okta: parseOkta,
};

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

export function parseLog(text: string, format: LogFormat, options: ParseOptions = {}): ParseResult & { errorCount: number } {
  const maxErrors = options.maxErrors ?? 1000;
  const result: ParseResult & { errorCount: number } = { format, records: 0, events: [], skipped: 0, errors: [], errorCount: 0 };
  const fail = (line: number, message: string): void => {
    result.errorCount++;
    if (result.errors.length < maxErrors) result.errors.push({ line, message });
  };
  if (format === 'sshd') {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.trim()) continue;
      result.records++;
      try {
        const events = parseSshdLine(lines[i]!, options);
        if (events) result.events.push(...events);
        else result.skipped++;
      } catch (error) {
        fail(i + 1, (error as Error).message);
      }
    }
    return result;
  }
  const parse = JSON_PARSERS[format];
  const split = splitJsonRecords(text);
  for (const e of split.errors) fail(e.line, e.message);
  for (const raw of split.records) {
    result.records++;
    let value: unknown;
    try {
      value = JSON.parse(raw.text);
    } catch {
      fail(raw.line, 'not valid JSON');
      continue;
    }
    try {
      result.events.push(...parse(value));
    } catch (error) {
      fail(raw.line, (error as Error).message);
    }
  }
  return result;
}

export { parseCloudTrail, parseEntra, parseOkta, parseSshdLine };
