/**
 * Finds the text in an OpenAI-style request body (chat/completions, completions, embeddings, responses) and
 * says what each piece is: a prompt (user, system, developer) or a document (tool/function results,
 * assistant history, tool call arguments, retrieved content). Non-text parts (images, audio, files) are
 * recorded, not scanned.
 * Validates shape limits first: nesting depth, and strings that are not valid Unicode (lone surrogates).
 *
 * @example
 * extractSegments({ messages: [{ role: 'user', content: 'hi' }] }, 64).segments
 * // [{ path: ['messages', 0, 'content'], text: 'hi', kind: 'prompt', role: 'user', messageIndex: 0 }]
 */
import { WardenError } from '../../core/index.js';

export type SegmentKind = 'prompt' | 'document';
export type JsonPath = (string | number)[];

export interface TextSegment {
  path: JsonPath;
  text: string;
  kind: SegmentKind;
  role: string;
  /** Index in `messages` / `input` / `prompt` (0 for a single string). */
  messageIndex: number;
}

export interface OtherPart {
  path: JsonPath;
  /** `image_url`, `input_audio`, `file`, `tokens`, ... */
  type: string;
  messageIndex: number;
}

export interface Extraction {
  segments: TextSegment[];
  /** Parts that are not text: recorded, not scanned. */
  other: OtherPart[];
}

const PROMPT_ROLES = new Set(['user', 'system', 'developer']);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Deepest nesting of arrays/objects, iteratively (a hostile body cannot overflow the stack). */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
  return max;
}

function roleKind(role: string): SegmentKind {
  return PROMPT_ROLES.has(role) ? 'prompt' : 'document';
}

/** Skips anything that is not a non-empty string, so callers pass optional fields as they are. */
function pushText(out: Extraction, path: JsonPath, text: unknown, kind: SegmentKind, role: string, messageIndex: number): void {
  if (typeof text !== 'string' || text.length === 0) return;
  if (LONE_SURROGATE.test(text)) throw new WardenError('bad_request', `the text at \`${path.join('.')}\` is not valid Unicode`);
  out.segments.push({ path, text, kind, role, messageIndex });
}

/** Content as a string, or an array of parts (`text`, `input_text`, `output_text`, `image_url`, ...). */
function pushContent(out: Extraction, path: JsonPath, content: unknown, kind: SegmentKind, role: string, i: number): void {
  if (typeof content === 'string') return pushText(out, path, content, kind, role, i);
  if (!Array.isArray(content)) {
    if (content !== undefined && content !== null) out.other.push({ path, type: typeof content, messageIndex: i });
    return;
  }
  content.forEach((part, k) => {
    const p = [...path, k];
    if (typeof part === 'string') return pushText(out, p, part, kind, role, i);
    if (!part || typeof part !== 'object') return;
    const obj = part as Record<string, unknown>;
    const type = typeof obj.type === 'string' ? obj.type : 'unknown';
    if (typeof obj.text === 'string' && (type === 'text' || type === 'input_text' || type === 'output_text' || type === 'unknown')) {
      pushText(out, [...p, 'text'], obj.text, kind, role, i);
    } else if (type === 'refusal' && typeof obj.refusal === 'string') {
      pushText(out, [...p, 'refusal'], obj.refusal, 'document', role, i);
    } else out.other.push({ path: p, type, messageIndex: i });
  });
}

function pushMessage(out: Extraction, path: JsonPath, msg: unknown, i: number): void {
  if (typeof msg === 'string') return pushText(out, path, msg, 'prompt', 'user', i);
  if (!msg || typeof msg !== 'object') return;
  const m = msg as Record<string, unknown>;
  // Responses API items without a role: tool results, and the model's own tool calls replayed as history.
  const role = typeof m.role === 'string' ? m.role : m.type === 'function_call_output' ? 'tool' : m.type === 'function_call' ? 'assistant' : 'user';
  const kind = roleKind(role);
  pushContent(out, [...path, 'content'], m.content, kind, role, i);
  // Responses API tool results: a string or an array of content parts (anything else is recorded).
  pushContent(out, [...path, 'output'], m.output, 'document', 'tool', i);
  // Tool call arguments are model output replayed as history: chat `tool_calls`, the legacy chat
  // `function_call`, and the Responses API's `function_call` items (arguments at the item's top level).
  if (Array.isArray(m.tool_calls)) {
    m.tool_calls.forEach((call, k) => {
      const fn = (call as { function?: { arguments?: unknown } } | null)?.function;
      if (fn) pushText(out, [...path, 'tool_calls', k, 'function', 'arguments'], fn.arguments, 'document', role, i);
    });
  }
  pushText(out, [...path, 'function_call', 'arguments'], (m.function_call as { arguments?: unknown } | null | undefined)?.arguments, 'document', role, i);
  pushText(out, [...path, 'arguments'], m.arguments, 'document', role, i);
}

/**
 * Extracts the texts to inspect. Throws WardenError `validation_failed` for a body that is not an object or
 * nests deeper than `maxDepth`, `bad_request` for invalid Unicode.
 */
export function extractSegments(body: unknown, maxDepth: number): Extraction {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new WardenError('validation_failed', 'the request body must be a JSON object');
  const depth = jsonDepth(body, maxDepth);
  if (depth > maxDepth) throw new WardenError('validation_failed', `the request body nests deeper than ${maxDepth} levels`);
  const b = body as Record<string, unknown>;
  const out: Extraction = { segments: [], other: [] };
  if (Array.isArray(b.messages)) b.messages.forEach((m, i) => pushMessage(out, ['messages', i], m, i));
  pushText(out, ['instructions'], b.instructions, 'prompt', 'system', 0);
  for (const key of ['prompt', 'input'] as const) {
    const v = b[key];
    if (typeof v === 'string') pushText(out, [key], v, 'prompt', 'user', 0);
    else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        // A string item is a user message (pushMessage); numbers and arrays of them are token ids.
        if (typeof item === 'number' || Array.isArray(item)) out.other.push({ path: [key, i], type: 'tokens', messageIndex: i });
        else pushMessage(out, [key, i], item, i);
      });
    }
  }
  return out;
}
