/**
 * Labelled rows for training and evaluation: `{text, label, category}` JSON lines. The training corpus is
 * every `*.jsonl` of `prompt-injection` and `prompt-injection-extra` under the shared data directory; each
 * row gets its source (file name), its origin (sources built from the same upstream data are one origin:
 * BIPIA's payloads and the documents they were inserted into, TaskTracker's injections and the documents
 * they were inserted into, AgentDojo's records and their injected versions) and the mode the gateway
 * scans it in (`document` for rows of document sources, `prompt` otherwise).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { TextKind } from '../detect.js';

export interface LabelledRow {
  text: string;
  label: 0 | 1;
  category: string;
  source: string;
}

export interface CorpusRow extends LabelledRow {
  /** Sources built from the same upstream data share an origin (held out together). */
  origin: string;
  /** How the gateway would scan this text. */
  kind: TextKind;
}

export const CORPUS_FOLDERS = ['prompt-injection', 'prompt-injection-extra'] as const;

/** Sources that share payloads or base documents by construction. */
export const DECLARED_ORIGINS: Readonly<Record<string, string>> = {
  bipia_attack_payloads_train: 'bipia',
  bipia_indirect_train: 'bipia',
  tasktracker_direct_injections: 'tasktracker',
  injected_documents: 'tasktracker',
  agentdojo_documents: 'agentdojo',
  agentdojo_injected: 'agentdojo',
};

const DOCUMENT_CATEGORIES: ReadonlySet<string> = new Set(['benign-document', 'injection-document', 'injection-payload']);

export function isDocumentCategory(category: string): boolean {
  return DOCUMENT_CATEGORIES.has(category);
}

const rowSchema = z.object({
  text: z.string(),
  label: z.union([z.literal(0), z.literal(1)]),
  category: z.string(),
});

/**
 * Reads a `.jsonl` file, or every `*.jsonl` file of a directory (sorted, for determinism); `source` is the
 * file's base name. Throws with the file and line of the first row that is not a labelled row.
 */
export function readRowsFromDisk(path: string): LabelledRow[] {
  const rows: LabelledRow[] = [];
  const files = statSync(path).isDirectory()
    ? readdirSync(path).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(path, f))
    : [path];
  for (const full of files) {
    const file = basename(full);
    const source = file.replace(/\.jsonl$/, '');
    const lines = readFileSync(full, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        throw new Error(`${file}:${i + 1}: not JSON`, { cause: error });
      }
      const parsed = rowSchema.safeParse(json);
      if (!parsed.success) throw new Error(`${file}:${i + 1}: not a labelled row`);
      rows.push({ text: parsed.data.text, label: parsed.data.label, category: parsed.data.category, source });
    });
  }
  return rows;
}

/** The two corpus folders under `dataDir`, or the list of those missing. */
export function missingCorpusFolders(dataDir: string): string[] {
  return CORPUS_FOLDERS.filter((f) => !existsSync(join(dataDir, f))).map((f) => join(dataDir, f));
}

/**
 * Assigns origins and scan modes. A source is a document source when most of its rows are documents; its
 * hard negatives are then documents too (a tldr page that mentions `--force`).
 */
export function toCorpusRows(rows: readonly LabelledRow[], defaultKind: TextKind = 'prompt'): CorpusRow[] {
  const counts = new Map<string, [number, number]>();
  for (const r of rows) {
    const c = counts.get(r.source) ?? [0, 0];
    c[isDocumentCategory(r.category) ? 0 : 1]++;
    counts.set(r.source, c);
  }
  return rows.map((r) => {
    const [doc, other] = counts.get(r.source) as [number, number];
    const kind: TextKind = isDocumentCategory(r.category) || doc > other ? 'document' : defaultKind;
    return { ...r, origin: DECLARED_ORIGINS[r.source] ?? r.source, kind };
  });
}

/** Reads both corpus folders of the shared data directory (throws when one is missing). */
export function readCorpusFromDisk(dataDir: string): CorpusRow[] {
  const missing = missingCorpusFolders(dataDir);
  if (missing.length > 0) throw new Error(`training data not found: ${missing.join(', ')}`);
  return toCorpusRows(CORPUS_FOLDERS.flatMap((f) => readRowsFromDisk(join(dataDir, f))));
}
