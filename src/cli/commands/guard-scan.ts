/**
 * `warden guard scan`: runs the guard's detectors offline, for pipelines.
 * `--input FILE.jsonl` (or `-` for stdin) reads lines `{"text": "...", "kind": "prompt" | "document"}` and
 * writes one JSON line per input line: `{"flagged", "score", "reasons", "findings": [{"type","start","end"}]}`.
 * `--text STRING` scans one string. A line that is not valid input yields `{"error": {...}, "line": n}` in
 * its place (the output stays line-aligned) and the exit code is 1.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError, writeLine, type CliIO, type Command } from '../command.js';
import { detectInjection, scanText } from '../../guard/index.js';

const lineSchema = z.object({ text: z.string().max(10_000_000), kind: z.enum(['prompt', 'document']).default('prompt') });

/** The result line for one text; exported for tests. */
export function scanOne(text: string, kind: 'prompt' | 'document'): { flagged: boolean; score: number; reasons: string[]; findings: { type: string; start: number; end: number }[] } {
  const injection = detectInjection(text, { kind });
  const findings = scanText(text).map((f) => ({ type: f.type, start: f.start, end: f.end, ...(f.subtype ? { subtype: f.subtype } : {}) }));
  return { flagged: injection.flagged, score: Math.round(injection.score * 1e4) / 1e4, reasons: injection.reasons, findings };
}

export const guardScanCommand: Command = {
  name: 'guard scan',
  summary: 'scan texts for prompt injection, PII and secrets (JSON lines out)',
  usage: `usage: warden guard scan (--input FILE.jsonl | --text STRING) [--kind prompt|document]

  --input FILE   JSON Lines: {"text": "...", "kind": "prompt"|"document"} (kind optional); "-" reads stdin
  --text STRING  scan one string
  --kind KIND    kind for --text (default prompt)

Writes one line per input: {"flagged": bool, "score": number, "reasons": [...], "findings": [{"type","start","end"}]}.
Offsets are JavaScript string indices (UTF-16 code units) into the text.`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({ args, options: { input: { type: 'string' }, text: { type: 'string' }, kind: { type: 'string' } }, strict: true });
    if ((values.input === undefined) === (values.text === undefined)) throw new UsageError('give exactly one of --input or --text');
    if (values.text !== undefined) {
      const kind = values.kind ?? 'prompt';
      if (kind !== 'prompt' && kind !== 'document') throw new UsageError('--kind must be prompt or document');
      writeLine(io.stdout, JSON.stringify(scanOne(values.text, kind)));
      return 0;
    }
    const path = values.input!;
    const stream = path === '-' ? process.stdin : createReadStream(path.startsWith('/') ? path : `${io.cwd}/${path}`, { encoding: 'utf8' });
    let failed = false;
    let n = 0;
    try {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      for await (const line of lines) {
        n++;
        if (line.trim() === '') continue;
        let parsed: z.infer<typeof lineSchema>;
        try {
          parsed = lineSchema.parse(JSON.parse(line));
        } catch (error) {
          failed = true;
          const message = error instanceof SyntaxError ? 'the line is not valid JSON' : 'expected {"text": string, "kind"?: "prompt"|"document"}';
          writeLine(io.stdout, JSON.stringify({ error: { code: 'validation_failed', message }, line: n }));
          continue;
        }
        writeLine(io.stdout, JSON.stringify(scanOne(parsed.text, parsed.kind)));
      }
    } catch (error) {
      writeLine(io.stderr, `warden guard scan: cannot read \`${path}\`: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return 1;
    }
    return failed ? 1 : 0;
  },
};
