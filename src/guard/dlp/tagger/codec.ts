/**
 * The tagger's weights as text for a TypeScript module: feature weights quantised to 16 bits with one scale,
 * transitions as numbers, the three word lists as bit arrays; all base64.
 *
 * @example
 * const encoded = encodeModel(model);  // written by scripts/train-dlp-tagger.ts
 * const model = decodeModel(encoded);  // read once, on first use
 */
import { Gazetteer } from './gazetteer.js';
import { TaggerModel } from './model.js';
import { dequantizeInt16, quantizeInt16 } from '../../../core/index.js';

export interface EncodedModel {
  scale: number;
  weights: string;
  transitions: number[];
  names: string;
  places: string;
  streets: string;
}

export function encodeModel(model: TaggerModel): EncodedModel {
  const { scale, base64 } = quantizeInt16(model.weights);
  const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
  return {
    scale,
    weights: base64,
    transitions: Array.from(model.transitions, (v) => Math.round(v * 1000) / 1000),
    names: b64(model.lexicon.names.bytes),
    places: b64(model.lexicon.places.bytes),
    streets: b64(model.lexicon.streets.bytes),
  };
}

function bytes(b64: string): Uint8Array {
  const buf = Buffer.from(b64, 'base64');
  return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function decodeModel(m: EncodedModel): TaggerModel {
  return new TaggerModel(dequantizeInt16(m.weights, m.scale), Float32Array.from(m.transitions), {
    names: Gazetteer.fromBytes(bytes(m.names)),
    places: Gazetteer.fromBytes(bytes(m.places)),
    streets: Gazetteer.fromBytes(bytes(m.streets)),
  });
}
