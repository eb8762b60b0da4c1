/**
 * The optional model tier: a transformer classifier (for example Meta's Llama Prompt Guard 2 or ProtectAI's
 * deberta-v3-base-prompt-injection-v2, exported to ONNX) that the user places in a local directory. It runs
 * on the CPU with onnxruntime-node; its tokenizer is read with @huggingface/tokenizers. Nothing is ever
 * downloaded: the directory must hold `model.onnx`, `tokenizer.json`, `tokenizer_config.json` and
 * `config.json` (whose `id2label` names the attack label). See docs/guard-injection.md for the export.
 *
 * @example
 * const tier = await loadModelTierFromDisk('/opt/models/prompt-guard-2');
 * await tier.classify(['Ignore previous instructions', 'What is the capital of France?']); // [0.99, 0.01]
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export interface ModelTier {
  /** Probability (0..1) that each text is an attack; one inference call per batch. */
  classify(texts: readonly string[]): Promise<number[]>;
  /** The label whose probability is reported, as named in the model's config.json. */
  readonly attackLabel: string;
  close(): Promise<void>;
}

export const MODEL_TIER_FILES = ['model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'config.json'] as const;
/** Labels that mean "attack" in the published prompt-injection classifiers. */
const ATTACK_LABELS = ['INJECTION', 'JAILBREAK', 'MALICIOUS', 'LABEL_1', 'UNSAFE'];

const configSchema = z.object({ id2label: z.record(z.string(), z.string()), max_position_embeddings: z.number().int().positive().optional() });

interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtModule {
  InferenceSession: { create(path: string, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'int64', data: BigInt64Array, dims: number[]) => OrtTensor;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface TokenizerLike {
  encode(text: string): { ids: number[] };
}

export interface ModelTierOptions {
  /** Longest input in tokens (longer texts keep their head and tail); the model's own limit by default. */
  maxTokens?: number;
}

function softmaxAt(row: Float32Array | number[], k: number): number {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return Math.exp((row[k] as number) - max) / sum;
}

/**
 * Loads a model directory (reads the files: the name says so). Throws with a clear message when a file is
 * missing, the config names no attack label, or onnxruntime-node is not installed.
 */
export async function loadModelTierFromDisk(dir: string, options: ModelTierOptions = {}): Promise<ModelTier> {
  const read = async (name: string): Promise<string> => {
    try {
      return await readFile(join(dir, name), 'utf8');
    } catch (error) {
      throw new Error(`model tier: cannot read \`${join(dir, name)}\` (the directory needs ${MODEL_TIER_FILES.join(', ')})`, { cause: error });
    }
  };
  const config = configSchema.parse(JSON.parse(await read('config.json')));
  const labels = Object.entries(config.id2label).map(([k, v]) => [Number(k), v] as const);
  const attack = labels.find(([, v]) => ATTACK_LABELS.includes(v.toUpperCase()));
  if (attack === undefined) throw new Error(`model tier: config.json names no attack label (one of ${ATTACK_LABELS.join(', ')}) in id2label`);
  const [tokenizerJson, tokenizerConfig] = [JSON.parse(await read('tokenizer.json')) as object, JSON.parse(await read('tokenizer_config.json')) as Record<string, unknown>];
  await access(join(dir, 'model.onnx')).catch((error: unknown) => {
    throw new Error(`model tier: cannot read \`${join(dir, 'model.onnx')}\``, { cause: error });
  });
  let ort: OrtModule;
  try {
    // An optional dependency: named through a variable so that the build does not need it installed.
    const runtime = 'onnxruntime-node';
    ort = (await import(runtime)) as OrtModule;
  } catch (error) {
    throw new Error('model tier: onnxruntime-node is not installed (it is an optional dependency: `npm install onnxruntime-node`)', { cause: error });
  }
  const { Tokenizer } = (await import('@huggingface/tokenizers')) as unknown as { Tokenizer: new (t: object, c: object) => TokenizerLike };
  const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const padId = typeof tokenizerConfig.pad_token_id === 'number' ? tokenizerConfig.pad_token_id : 0;
  const maxTokens = options.maxTokens ?? Math.min(512, config.max_position_embeddings ?? 512);
  const attackIndex = attack[0];
  return {
    attackLabel: attack[1],
    async classify(texts) {
      if (texts.length === 0) return [];
      const encoded = texts.map((t) => {
        const ids = tokenizer.encode(t).ids;
        return ids.length <= maxTokens ? ids : [...ids.slice(0, maxTokens >> 1), ...ids.slice(ids.length - (maxTokens - (maxTokens >> 1)))];
      });
      const width = Math.max(1, ...encoded.map((e) => e.length));
      const ids = new BigInt64Array(texts.length * width).fill(BigInt(padId));
      const mask = new BigInt64Array(texts.length * width);
      encoded.forEach((e, b) => {
        e.forEach((id, j) => {
          ids[b * width + j] = BigInt(id);
          mask[b * width + j] = 1n;
        });
      });
      const feeds: Record<string, OrtTensor> = {};
      for (const name of session.inputNames) {
        if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', ids, [texts.length, width]);
        else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', mask, [texts.length, width]);
        else if (name === 'token_type_ids') feeds[name] = new ort.Tensor('int64', new BigInt64Array(texts.length * width), [texts.length, width]);
        else throw new Error(`model tier: unsupported model input \`${name}\``);
      }
      const out = await session.run(feeds);
      const logits = out[session.outputNames[0] as string] as OrtTensor;
      const classes = logits.dims[1] as number;
      const data = logits.data as Float32Array;
      return texts.map((_, b) => softmaxAt(data.subarray(b * classes, (b + 1) * classes), attackIndex));
    },
    close: () => session.release(),
  };
}
