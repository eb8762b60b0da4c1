/**
 * Loads the NAB corpus (data/**.csv, labels/combined_windows.json, config/profiles.json) from a NAB
 * checkout such as ../shared/data/nab. Evaluation-only code: it reads the data in place, never copies it.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { windowsToIndices, type CostMatrix, type Profile } from './scorer.js';

export interface NabSeries {
  /** relative path, e.g. `realKnownCause/nyc_taxi.csv` */
  name: string;
  timestamps: Float64Array;
  values: Float64Array;
  /** row-index windows, inclusive */
  windows: Array<[number, number]>;
}

/** Parse NAB timestamps (`2014-02-19 10:50:00` or with `.000000`) as UTC milliseconds. */
export function parseNabTimestamp(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text.trim());
  if (!m) throw new Error(`bad timestamp \`${text}\``);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function listCsv(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listCsv(p, out);
    else if (name.endsWith('.csv')) out.push(p);
  }
  return out;
}

export function loadProfiles(nabDir: string): Profile[] {
  const raw = JSON.parse(readFileSync(join(nabDir, 'config', 'profiles.json'), 'utf8')) as Record<
    string,
    { CostMatrix: CostMatrix }
  >;
  return Object.entries(raw).map(([name, p]) => ({ name, costMatrix: p.CostMatrix }));
}

export function loadCorpus(nabDir: string): NabSeries[] {
  const labels = JSON.parse(readFileSync(join(nabDir, 'labels', 'combined_windows.json'), 'utf8')) as Record<
    string,
    Array<[string, string]>
  >;
  const dataDir = join(nabDir, 'data');
  const out: NabSeries[] = [];
  for (const file of listCsv(dataDir)) {
    const name = relative(dataDir, file).split('\\').join('/');
    const windowLabels = labels[name];
    if (!windowLabels) continue; // NAB scores only labelled files
    const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
    const rows = lines.slice(1);
    const timestamps = new Float64Array(rows.length);
    const values = new Float64Array(rows.length);
    rows.forEach((line, i) => {
      const comma = line.indexOf(',');
      timestamps[i] = parseNabTimestamp(line.slice(0, comma));
      values[i] = Number(line.slice(comma + 1));
    });
    const windows = windowsToIndices(
      timestamps,
      windowLabels.map(([a, b]) => [parseNabTimestamp(a), parseNabTimestamp(b)] as const),
    );
    out.push({ name, timestamps, values, windows });
  }
  return out;
}
