/**
 * Keras model checks: the architecture JSON (`config.json` in a `.keras` ZIP; the `model_config`
 * attribute of an `.h5` HDF5 file) is searched for Lambda layers, whose Python bytecode runs on load, and
 * for layers from modules outside Keras/TensorFlow (custom code). For `.h5` the JSON is located by a
 * bounded byte search for the attribute's `{"class_name": ...}` value rather than a full HDF5 parse.
 */
import type { ByteSource } from './source.js';
import type { Finding } from './verdict.js';

const HDF5_MAGIC = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

export function isHdf5(src: ByteSource): boolean {
  for (const at of [0, 512, 1024, 2048]) {
    if (at + 8 <= src.size && src.readAt(at, 8).equals(HDF5_MAGIC)) return true;
  }
  return false;
}

/** Walks a Keras config and reports Lambda layers and foreign modules. */
export function checkKerasConfig(config: unknown, member?: string): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown, depth: number): void => {
    if (depth > 200 || node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1);
      return;
    }
    const obj = node as Record<string, unknown>;
    const cls = obj.class_name;
    const inner = obj.config as Record<string, unknown> | undefined;
    const layerName = typeof inner?.name === 'string' ? inner.name : undefined;
    if (cls === 'Lambda') {
      findings.push({
        verdict: 'dangerous',
        kind: 'keras.lambda',
        message: `Lambda layer${layerName ? ` \`${layerName}\`` : ''} carries Python code that runs when the model loads`,
        ...(member ? { member } : {}),
        details: { layer: layerName ?? null, hasFunction: inner !== undefined && 'function' in inner },
      });
    } else if (typeof obj.module === 'string' && typeof cls === 'string' && !/^(?:keras|tensorflow|tf_keras|builtins)(?:\.|$)/.test(obj.module)) {
      findings.push({
        verdict: 'suspicious',
        kind: 'keras.custom_object',
        message: `layer class \`${cls}\` comes from module \`${obj.module}\` outside Keras`,
        ...(member ? { member } : {}),
      });
    }
    for (const value of Object.values(obj)) walk(value, depth + 1);
  };
  walk(config, 0);
  return findings;
}

/** Reads one balanced JSON object starting at `start`, or undefined (unbalanced within `max` bytes). */
function extractJson(src: ByteSource, start: number, max: number): string | undefined {
  let depth = 0;
  let inString = false;
  let escaped = false;
  const parts: Buffer[] = [];
  for (let at = start; at < Math.min(src.size, start + max); ) {
    const chunk = src.readAt(at, Math.min(256 * 1024, src.size - at, start + max - at));
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b) depth++;
      else if (c === 0x7d && --depth === 0) {
        parts.push(Buffer.from(chunk.subarray(0, i + 1)));
        return Buffer.concat(parts).toString('utf8');
      } else if (c === 0) return undefined;
    }
    parts.push(Buffer.from(chunk));
    at += chunk.length;
  }
  return undefined;
}

const NEEDLES = [Buffer.from('{"class_name"'), Buffer.from('{"module"')];

/** Finds Keras architecture JSON inside an HDF5 file and checks it. */
export function checkHdf5(src: ByteSource, maxJson = 64 * 1024 * 1024): { findings: Finding[]; configs: number } {
  const findings: Finding[] = [];
  let configs = 0;
  let candidates = 0;
  const window = 1024 * 1024;
  for (let at = 0; at < src.size; at += window - 16) {
    const chunk = src.readAt(at, Math.min(window, src.size - at));
    for (const needle of NEEDLES) {
      let i = chunk.indexOf(needle);
      while (i >= 0 && candidates++ < 256) {
        const text = extractJson(src, at + i, maxJson);
        if (text !== undefined) {
          try {
            const parsed = JSON.parse(text) as unknown;
            configs++;
            findings.push(...checkKerasConfig(parsed));
          } catch {
            // not JSON after all: binary data that happened to match
          }
        }
        i = chunk.indexOf(needle, i + 1);
      }
    }
    if (at + window >= src.size) break;
  }
  // The same config can appear twice (overlapping windows, two needles): keep distinct findings.
  const unique = new Map(findings.map((f) => [`${f.kind}|${f.message}`, f]));
  return { findings: [...unique.values()], configs };
}
