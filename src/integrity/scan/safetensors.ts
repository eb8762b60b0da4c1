/**
 * safetensors header checks: 8-byte little-endian header length (at most 100 MB), a JSON object whose
 * tensors have a known dtype, a shape whose element count times the dtype size equals the byte range, and
 * `data_offsets` in bounds of the data section and not overlapping one another.
 */
import { JsonSyntaxError, parseJsonLossless } from '../../core/index.js';
import type { ByteSource } from './source.js';
import type { Finding } from './verdict.js';

export const MAX_HEADER = 100_000_000;

const DTYPE_BITS: Record<string, number> = {
  BOOL: 8, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, I16: 16, U16: 16, F16: 16, BF16: 16,
  I32: 32, U32: 32, F32: 32, I64: 64, U64: 64, F64: 64, C64: 64, F4: 4, F6_E2M3: 6, F6_E3M2: 6,
};

export function checkSafetensors(src: ByteSource): Finding[] {
  const bad = (message: string, details?: Record<string, unknown>): Finding[] => [
    { verdict: 'dangerous', kind: 'safetensors.header', message, ...(details ? { details } : {}) },
  ];
  if (src.size < 8) return bad('file shorter than the 8-byte header length');
  const length = src.readAt(0, 8).readBigUInt64LE(0);
  if (length > BigInt(MAX_HEADER)) return bad(`header length ${length} exceeds 100 MB`);
  const n = Number(length);
  if (8 + n > src.size) return bad(`header length ${n} runs past the end of the file`);
  let header: unknown;
  try {
    // The header may exceed one read window: read it in pieces.
    const parts: Buffer[] = [];
    for (let at = 8; at < 8 + n; at += 1024 * 1024) parts.push(Buffer.from(src.readAt(at, Math.min(1024 * 1024, 8 + n - at))));
    // A tensor named twice is refused: loaders differ on which entry counts (serde keeps the last,
    // others the first), so a checked entry could hide the one a loader uses.
    header = parseJsonLossless(Buffer.concat(parts).toString('utf8'), { numbers: 'double' });
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return bad(`header is not valid JSON: ${error.message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return bad('header is not a JSON object');
  const dataSize = src.size - 8 - n;
  const ranges: { name: string; begin: number; end: number }[] = [];
  const findings: Finding[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
        findings.push({ verdict: 'suspicious', kind: 'safetensors.metadata', message: '`__metadata__` is not a map of strings' });
      }
      continue;
    }
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null) return bad(`tensor \`${name}\` is not an object`);
    const bits = typeof t.dtype === 'string' ? DTYPE_BITS[t.dtype] : undefined;
    if (bits === undefined) return bad(`tensor \`${name}\` has unknown dtype \`${String(t.dtype)}\``);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return bad(`tensor \`${name}\` has an invalid shape`);
    const offsets = t.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) return bad(`tensor \`${name}\` has invalid data_offsets`);
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataSize) return bad(`tensor \`${name}\` data_offsets [${begin}, ${end}] are out of bounds (data is ${dataSize} bytes)`);
    let elements = 1n;
    for (const d of t.shape as number[]) elements *= BigInt(d);
    const expected = (elements * BigInt(bits) + 7n) / 8n;
    if (expected !== BigInt(end - begin)) return bad(`tensor \`${name}\`: shape and dtype need ${expected} bytes but data_offsets hold ${end - begin}`);
    ranges.push({ name, begin, end });
  }
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1]!;
    const cur = ranges[i]!;
    if (cur.begin < prev.end) return bad(`tensors \`${prev.name}\` and \`${cur.name}\` overlap`);
  }
  return findings;
}
