/**
 * ONNX external-data checks by parsing the protobuf (never loading the model): every TensorProto in the
 * graph, nested graphs, sparse initializers and functions is visited, and each `external_data` entry with
 * key `location` must name a relative path that stays inside the model's directory.
 */
import { realpathSync, existsSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ByteSource } from './source.js';
import type { Finding } from './verdict.js';

class ProtoError extends Error {}

interface Field {
  number: number;
  wire: number;
  /** For wire type 2: absolute [start, end) of the payload. */
  start: number;
  end: number;
  value: number;
}

function* fields(src: ByteSource, start: number, end: number): Generator<Field> {
  let at = start;
  const varint = (): number => {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= end) throw new ProtoError('truncated varint');
      const b = src.readAt(at++, 1)[0] as number;
      result += (b & 0x7f) * shift;
      if ((b & 0x80) === 0) return result;
      shift *= 128;
    }
    throw new ProtoError('varint too long');
  };
  while (at < end) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wire = key % 8;
    if (number === 0) throw new ProtoError('field number 0');
    if (wire === 0) yield { number, wire, start: at, end: at, value: varint() };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (at + n > end) throw new ProtoError('truncated fixed field');
      at += n;
      yield { number, wire, start: at - n, end: at, value: 0 };
    } else if (wire === 2) {
      const length = varint();
      if (!Number.isSafeInteger(length) || at + length > end) throw new ProtoError('length-delimited field out of bounds');
      const s = at;
      at += length;
      yield { number, wire, start: s, end: at, value: length };
    } else throw new ProtoError(`unsupported wire type ${wire}`);
  }
}

function text(src: ByteSource, f: Field): string {
  return src.readAt(f.start, Math.min(f.end - f.start, 65_536)).toString('utf8');
}

export interface OnnxResult {
  findings: Finding[];
  externalFiles: string[];
  error?: string;
}

/** Checks an ONNX model at `modelPath` (used to resolve locations) read from `src`. */
export function checkOnnx(src: ByteSource, modelPath: string): OnnxResult {
  const baseDir = resolve(modelPath, '..');
  const findings: Finding[] = [];
  const externalFiles: string[] = [];
  let nodes = 0;
  const budget = (): void => {
    if (++nodes > 5_000_000) throw new ProtoError('too many protobuf messages');
  };

  const checkLocation = (location: string, tensor: string): void => {
    externalFiles.push(location);
    const bad = (why: string): void => {
      findings.push({ verdict: 'dangerous', kind: 'onnx.external_data', message: `tensor \`${tensor}\` reads external data from \`${location}\`: ${why}`, details: { tensor, location } });
    };
    if (location.includes('\0')) return bad('the path contains a NUL byte');
    if (isAbsolute(location) || /^[A-Za-z]:[\\/]/.test(location) || location.startsWith('\\')) return bad('the path is absolute');
    const target = resolve(baseDir, location.replace(/\\/g, '/'));
    const rel = relative(baseDir, target);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return bad('the path escapes the model directory');
    if (existsSync(target)) {
      const real = realpathSync(target);
      const realBase = realpathSync(baseDir);
      if (!real.startsWith(realBase + sep)) return bad('the path resolves (through a link) outside the model directory');
    }
  };

  const tensor = (start: number, end: number, depth: number): void => {
    budget();
    let name = '';
    const locations: string[] = [];
    for (const f of fields(src, start, end)) {
      if (f.number === 8 && f.wire === 2) name = text(src, f);
      else if (f.number === 13 && f.wire === 2) {
        let key = '';
        let value = '';
        for (const e of fields(src, f.start, f.end)) {
          if (e.number === 1 && e.wire === 2) key = text(src, e);
          else if (e.number === 2 && e.wire === 2) value = text(src, e);
        }
        if (key === 'location') locations.push(value);
      }
    }
    void depth;
    for (const location of locations) checkLocation(location, name);
  };

  const sparse = (start: number, end: number, depth: number): void => {
    for (const f of fields(src, start, end)) if ((f.number === 1 || f.number === 2) && f.wire === 2) tensor(f.start, f.end, depth);
  };

  const attribute = (start: number, end: number, depth: number): void => {
    budget();
    for (const f of fields(src, start, end)) {
      if (f.wire !== 2) continue;
      if (f.number === 5 || f.number === 10) tensor(f.start, f.end, depth);
      else if (f.number === 6 || f.number === 11) graph(f.start, f.end, depth + 1);
      else if (f.number === 22 || f.number === 23) sparse(f.start, f.end, depth);
    }
  };

  const node = (start: number, end: number, depth: number): void => {
    budget();
    for (const f of fields(src, start, end)) if (f.number === 5 && f.wire === 2) attribute(f.start, f.end, depth);
  };

  function graph(start: number, end: number, depth: number): void {
    if (depth > 64) throw new ProtoError('graphs nested too deeply');
    budget();
    for (const f of fields(src, start, end)) {
      if (f.wire !== 2) continue;
      if (f.number === 1) node(f.start, f.end, depth);
      else if (f.number === 5) tensor(f.start, f.end, depth);
      else if (f.number === 15) sparse(f.start, f.end, depth);
    }
  }

  try {
    for (const f of fields(src, 0, src.size)) {
      if (f.wire !== 2) continue;
      if (f.number === 7) graph(f.start, f.end, 0);
      else if (f.number === 25) {
        for (const g of fields(src, f.start, f.end)) {
          if (g.number === 7 && g.wire === 2) node(g.start, g.end, 1);
          else if (g.number === 11 && g.wire === 2) attribute(g.start, g.end, 1);
        }
      }
    }
  } catch (error) {
    if (!(error instanceof ProtoError) && !(error as Error).name?.includes('Truncated')) throw error;
    return { findings, externalFiles, error: (error as Error).message };
  }
  return { findings, externalFiles };
}
