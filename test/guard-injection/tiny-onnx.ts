/**
 * Builds a tiny ONNX classifier and its tokenizer files for the model-tier tests (no download, no Python):
 * the protobuf is written by hand. The model flags a text when it contains the word `ignore`:
 *   logits = [-z, z] with z = 8 * max_j(input_ids[j] == IGNORE_ID) - 4
 * so P(INJECTION) is about 0.9997 with the word and 0.0003 without. It claims no accuracy: it exercises the
 * plumbing (files, tokenizer, tensors, batching, label lookup).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const IGNORE_ID = 5;
const VOCAB: Record<string, number> = { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, hello: 4, ignore: IGNORE_ID, previous: 6, instructions: 7, what: 8, is: 9, the: 10, weather: 11 };

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const key = (field: number, wire: number): number[] => varint((field << 3) | wire);
const vint = (field: number, n: number | bigint): number[] => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: readonly number[]): number[] => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string): number[] => bytes(field, [...Buffer.from(s, 'utf8')]);
const f32 = (field: number, x: number): number[] => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return [...key(field, 5), ...b];
};

/** AttributeProto: INT (2) or INTS (7). */
const attrInt = (name: string, i: number): number[] => [...str(1, name), ...vint(20, 2), ...vint(3, i)];
const attrInts = (name: string, xs: number[]): number[] => [...str(1, name), ...vint(20, 7), ...xs.flatMap((x) => vint(8, x))];
const node = (op: string, inputs: string[], outputs: string[], attrs: number[][] = []): number[] => [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(3, `${op}_${outputs[0]}`), ...str(4, op), ...attrs.flatMap((a) => bytes(5, a))];
/** TensorProto scalar initialisers: float (1) or int64 (7). */
const floatScalar = (name: string, x: number): number[] => [...vint(2, 1), ...str(8, name), ...f32(4, x)];
const int64Scalar = (name: string, x: number): number[] => [...vint(2, 7), ...str(8, name), ...vint(7, x)];
/** ValueInfoProto with a tensor type of the element type and dims (numbers or symbolic names). */
function valueInfo(name: string, elem: number, dims: Array<number | string>): number[] {
  const shape = dims.flatMap((d) => bytes(1, typeof d === 'number' ? vint(1, d) : str(2, d)));
  const tensorType = [...vint(1, elem), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

export function tinyModelBytes(): Buffer {
  const graph = [
    ...bytes(1, node('Equal', ['input_ids', 'ignore_id'], ['hit'])),
    ...bytes(1, node('Cast', ['hit'], ['hitf'], [attrInt('to', 1)])),
    ...bytes(1, node('ReduceMax', ['hitf'], ['m'], [attrInts('axes', [1]), attrInt('keepdims', 1)])),
    ...bytes(1, node('Mul', ['m', 'eight'], ['m8'])),
    ...bytes(1, node('Sub', ['m8', 'four'], ['z'])),
    ...bytes(1, node('Neg', ['z'], ['nz'])),
    ...bytes(1, node('Concat', ['nz', 'z'], ['logits'], [attrInt('axis', 1)])),
    ...str(2, 'tiny'),
    ...bytes(5, int64Scalar('ignore_id', IGNORE_ID)),
    ...bytes(5, floatScalar('eight', 8)),
    ...bytes(5, floatScalar('four', 4)),
    ...bytes(11, valueInfo('input_ids', 7, ['batch', 'sequence'])),
    ...bytes(11, valueInfo('attention_mask', 7, ['batch', 'sequence'])),
    ...bytes(12, valueInfo('logits', 1, ['batch', 2])),
  ];
  const model = [...vint(1, 8), ...str(2, 'warden-test'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...vint(2, 13)])];
  return Buffer.from(model);
}

/** Writes model.onnx, tokenizer.json, tokenizer_config.json and config.json into `dir`. */
export function writeTinyModelDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), tinyModelBytes());
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: Object.entries(VOCAB).filter(([t]) => t.startsWith('[')).map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: VOCAB },
  };
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'BertTokenizer', pad_token: '[PAD]', pad_token_id: 0, unk_token: '[UNK]', model_max_length: 512 }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ id2label: { '0': 'SAFE', '1': 'INJECTION' }, max_position_embeddings: 512 }));
}
