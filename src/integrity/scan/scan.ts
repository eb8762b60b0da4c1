/**
 * `scan`: find code-execution risks in model files by parsing them, never loading them. Dispatches by
 * extension and magic bytes to the pickle, ZIP (PyTorch, .keras), joblib, safetensors, HDF5 and ONNX
 * checks; a directory is walked. The verdict of a report is the worst of its findings.
 *
 * @example
 * const reports = scanPath('/models/m');
 * process.exitCode = exitCodeFor(worstVerdict(reports));
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import { parsePickles, type PickleResult } from './pickle.js';
import { BufferSource, FileSource, SliceSource, type ByteSource } from './source.js';
import { checkSafetensors } from './safetensors.js';
import { checkHdf5, checkKerasConfig, isHdf5 } from './keras.js';
import { checkOnnx } from './onnx.js';
import { dataOffset, isZip, listZip, readMember } from './zip.js';
import { worst, type FileReport, type Finding, type Verdict } from './verdict.js';

export interface ScanOptions {
  /** Largest decompressed member or joblib stream inflated into memory (bytes). */
  maxInflateBytes?: number;
}

const PICKLE_EXT = new Set(['.pkl', '.pickle', '.pt', '.pth', '.bin', '.ckpt', '.joblib', '.dat', '.mar']);
/** Extensions used both for pickles and for raw tensor bytes. */
const AMBIGUOUS_EXT = new Set(['.bin', '.dat']);
const MODEL_EXT = new Set([...PICKLE_EXT, '.safetensors', '.onnx', '.h5', '.hdf5', '.keras', '.zip']);

/**
 * Names `joblib.dump` output is commonly given. A file with one of these may be read by `joblib.load`
 * (array bytes after each NumpyArrayWrapper are data) or by `pickle.load` (the same bytes are opcodes),
 * so it is scanned both ways. PyTorch files (`.pt`, `.pth`, `.bin`, `.ckpt`, `.mar`, ZIP members) are
 * read by torch's unpickler, which has no joblib rule, so they are scanned as plain pickles only.
 */
const JOBLIB_EXT = new Set(['.joblib', '.pkl', '.pickle', '.dat']);

function pickleFindings(result: PickleResult, member?: string, errorVerdict?: Verdict): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const imp of result.imports) {
    const key = `${imp.module}.${imp.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const used = imp.usedBy.length ? ` used by ${imp.usedBy.join(', ')}` : '';
    findings.push({
      verdict: imp.verdict,
      kind: 'pickle.import',
      message: `${imp.opcode} import \`${key}\`${used}`,
      offset: imp.offset,
      ...(member ? { member } : {}),
      details: { module: imp.module, name: imp.name, opcode: imp.opcode, usedBy: imp.usedBy },
    });
  }
  for (const error of result.errors) {
    // A stream that never completed one pickle cannot be vouched for; later noise is tensor data.
    const verdict: Verdict = errorVerdict ?? (result.pickles === 0 ? 'suspicious' : 'safe');
    findings.push({ verdict, kind: 'pickle.parse', message: `parse stopped: ${error.message}`, offset: error.offset, ...(member ? { member } : {}) });
  }
  return findings;
}

function scanPickleSource(src: ByteSource, member?: string): Finding[] {
  return pickleFindings(parsePickles(src), member);
}

/**
 * A stream `joblib.load` or `pickle.load` may read: every import either loader would reach counts.
 * The plain reading (pickle.load) stops where joblib's raw array bytes begin in a real joblib file; that
 * stop is expected only when the joblib reading then parses the whole stream. Anything the joblib
 * reading cannot parse after a skip is suspicious: a skip must land on the rest of the real structure.
 */
function scanJoblibOrPickle(src: ByteSource, member?: string): { findings: Finding[]; joblib: boolean } {
  const plain = parsePickles(src);
  const firstArray = plain.joblibArrayStarts[0];
  if (firstArray === undefined) return { findings: pickleFindings(plain, member), joblib: false };
  src.position = 0;
  const joblib = parsePickles(src, { joblibArrays: true });
  const findings = pickleFindings({ ...plain, imports: [...plain.imports, ...joblib.imports], errors: [] }, member);
  const stoppedAtArray = plain.errors.length > 0 && (plain.errors[0]?.offset ?? 0) >= firstArray;
  if (!(stoppedAtArray && joblib.errors.length === 0)) findings.push(...pickleFindings({ ...plain, imports: [] }, member, plain.errors.length > 0 && stoppedAtArray ? 'suspicious' : undefined));
  findings.push(...pickleFindings({ ...joblib, imports: [] }, member, 'suspicious'));
  if (stoppedAtArray && joblib.errors.length === 0) {
    findings.push({
      verdict: 'safe',
      kind: 'pickle.joblib',
      message: `joblib stream: ${joblib.skippedArrayBytes} bytes of array data; pickle.load of this file stops at offset ${plain.errors[0]?.offset ?? 0}`,
      ...(member ? { member } : {}),
    });
  }
  return { findings, joblib: true };
}

function scanZip(src: ByteSource, maxInflate: number, keras: boolean): { format: string; findings: Finding[] } {
  const entries = listZip(src);
  const findings: Finding[] = [];
  let format = keras ? 'keras' : 'zip';
  for (const entry of entries) {
    const name = entry.name;
    if (name.endsWith('.pkl') || name.endsWith('/data.pkl')) {
      format = keras ? format : 'pytorch-zip';
      if (entry.method === 0) findings.push(...scanPickleSource(new SliceSource(src, dataOffset(src, entry), entry.compressedSize), name));
      else findings.push(...scanPickleSource(new BufferSource(readMember(src, entry, maxInflate)), name));
    } else if (name === 'config.json' || name.endsWith('/config.json')) {
      try {
        findings.push(...checkKerasConfig(JSON.parse(readMember(src, entry, maxInflate).toString('utf8')) as unknown, name));
      } catch (error) {
        if (keras) findings.push({ verdict: 'suspicious', kind: 'keras.config', message: `config.json is unreadable: ${(error as Error).message}`, member: name });
      }
    } else if (name.endsWith('.h5')) {
      if (entry.method === 0) findings.push(...checkHdf5(new SliceSource(src, dataOffset(src, entry), entry.compressedSize)).findings.map((f) => ({ ...f, member: name })));
    }
  }
  return { format, findings };
}

function decompressJoblib(src: ByteSource, maxInflate: number): { buffer?: Buffer; note?: Finding } {
  const head = src.readAt(0, Math.min(6, src.size));
  const whole = (): Buffer => src.readAt(0, src.size);
  try {
    if (head[0] === 0x1f && head[1] === 0x8b) return { buffer: gunzipSync(whole(), { maxOutputLength: maxInflate }) };
    if (head[0] === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(head[1] ?? -1)) return { buffer: inflateSync(whole(), { maxOutputLength: maxInflate }) };
  } catch (error) {
    return { note: { verdict: 'suspicious', kind: 'joblib.compressed', message: `compressed stream not scanned: ${(error as Error).message}` } };
  }
  const kinds: [string, number[]][] = [['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a]], ['bz2', [0x42, 0x5a, 0x68]], ['lz4', [0x04, 0x22, 0x4d, 0x18]]];
  for (const [kind, magic] of kinds) {
    if (magic.every((b, i) => head[i] === b)) return { note: { verdict: 'suspicious', kind: 'joblib.compressed', message: `${kind}-compressed stream not scanned` } };
  }
  return {};
}

/** Scans one file. Never throws for bad content: problems become findings. */
export function scanFile(path: string, options: ScanOptions = {}): FileReport {
  const maxInflate = options.maxInflateBytes ?? 16 * 1024 * 1024;
  const ext = extname(path).toLowerCase();
  let src: ByteSource | undefined;
  let format = 'unknown';
  const findings: Finding[] = [];
  try {
    src = new FileSource(path);
    if (ext === '.safetensors') {
      format = 'safetensors';
      findings.push(...checkSafetensors(src));
    } else if (ext === '.onnx') {
      format = 'onnx';
      const result = checkOnnx(src, path);
      findings.push(...result.findings);
      if (result.error) findings.push({ verdict: 'suspicious', kind: 'onnx.parse', message: `not a readable ONNX protobuf: ${result.error}` });
    } else if (isZip(src)) {
      const zip = scanZip(src, maxInflate, ext === '.keras');
      format = zip.format;
      findings.push(...zip.findings);
    } else if (isHdf5(src)) {
      format = 'hdf5';
      const h5 = checkHdf5(src);
      findings.push(...h5.findings);
    } else if (PICKLE_EXT.has(ext)) {
      const decompressed = ext === '.joblib' || ext === '.pkl' || ext === '.dat' ? decompressJoblib(src, maxInflate) : {};
      if (decompressed.note) {
        format = 'joblib';
        findings.push(decompressed.note);
      } else if (decompressed.buffer) {
        format = 'joblib';
        findings.push(...scanJoblibOrPickle(new BufferSource(decompressed.buffer)).findings);
      } else {
        format = ext === '.joblib' ? 'joblib' : 'pickle';
        const result = parsePickles(src);
        if (AMBIGUOUS_EXT.has(ext) && result.pickles === 0 && result.imports.length === 0 && (result.errors[0]?.offset ?? 0) < 64) {
          // `.bin`/`.dat` also name raw tensor data (ONNX external data, TF checkpoints): not a pickle.
          format = 'raw';
          findings.push({ verdict: 'safe', kind: 'format.unrecognised', message: 'not a pickle stream (raw data)' });
        } else if (JOBLIB_EXT.has(ext)) {
          src.position = 0;
          const scanned = scanJoblibOrPickle(src);
          if (scanned.joblib) format = 'joblib';
          findings.push(...scanned.findings);
        } else findings.push(...pickleFindings(result));
      }
    } else if (ext === '.h5' || ext === '.hdf5') {
      format = 'hdf5';
      findings.push({ verdict: 'suspicious', kind: 'hdf5.magic', message: 'no HDF5 signature' });
    }
  } catch (error) {
    findings.push({ verdict: 'suspicious', kind: 'scan.error', message: `could not be parsed: ${(error as Error).message}` });
  } finally {
    src?.close();
  }
  return { path, format, verdict: worst(...findings.map((f) => f.verdict)), findings };
}

/** Scans a file, or every model file under a directory (by extension). */
export function scanPath(path: string, options: ScanOptions = {}): FileReport[] {
  const st = statSync(path);
  if (st.isFile()) return [scanFile(path, options)];
  const reports: FileReport[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 64) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const abs = join(dir, entry.name);
      if (entry.isDirectory()) walk(abs, depth + 1);
      else if (entry.isFile() && MODEL_EXT.has(extname(entry.name).toLowerCase())) reports.push(scanFile(abs, options));
    }
  };
  walk(path, 0);
  return reports;
}

export function worstVerdict(reports: readonly FileReport[]): Verdict {
  return worst(...reports.map((r) => r.verdict));
}

/** CI exit codes: 0 safe, 3 suspicious, 4 dangerous (1 = the scan itself failed, 2 = usage error). */
export function exitCodeFor(verdict: Verdict): number {
  return verdict === 'dangerous' ? 4 : verdict === 'suspicious' ? 3 : 0;
}
