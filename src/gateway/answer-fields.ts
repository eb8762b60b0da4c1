/**
 * Every string of a JSON answer, with its place and a setter: the output guard inspects all of them, not
 * only the fields it knows, so a new or unusual answer shape (tool call arguments, `refusal`,
 * `reasoning_content`, content-part arrays, a provider's own fields) cannot carry text past it. Streamed
 * text fields (deltas whose fragments form one text) are told apart so their fragments can be inspected
 * as one text.
 *
 * @example
 * const fields = textFields({ choices: [{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: '{"a' } }] } }] });
 * fields[0].key       // 'choices.[0].delta.tool_calls.[1].function.arguments'
 * isStreamedText(fields[0]) // true
 * patchFor(fields[0].path, 'xyz') // { choices: [{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: 'xyz' } }] } }] }
 */

/** An object key, or an array position with the element's own `index` and `type` (OpenAI keys deltas by `index`). */
export type Segment = string | { pos: number; index?: number; type?: string };

export interface TextField {
  path: Segment[];
  /** Stable name of the field across stream events: array elements are named by their `index` when they have one. */
  key: string;
  value: string;
  set(value: string): void;
}

/** Deeper nesting than this is not an answer Warden can inspect within limits. */
export const MAX_ANSWER_DEPTH = 64;

export class AnswerTooDeepError extends Error {}

/** Leaf names of fields whose streamed fragments concatenate into one text. */
const STREAMED_KEYS = new Set(['content', 'text', 'reasoning_content', 'reasoning', 'refusal', 'arguments']);

export function textFields(value: unknown): TextField[] {
  const out: TextField[] = [];
  visit(value, [], 0, out);
  return out;
}

function visit(value: unknown, path: Segment[], depth: number, out: TextField[]): void {
  if (depth > MAX_ANSWER_DEPTH) throw new AnswerTooDeepError('the answer is nested too deeply to inspect');
  if (Array.isArray(value)) {
    value.forEach((item, pos) => {
      const seg: { pos: number; index?: number; type?: string } = { pos };
      if (item && typeof item === 'object' && !Array.isArray(item)) {
        const { index, type } = item as { index?: unknown; type?: unknown };
        if (typeof index === 'number') seg.index = index;
        if (typeof type === 'string') seg.type = type;
      }
      if (typeof item === 'string') out.push(field([...path, seg], item, (v) => (value[pos] = v)));
      else visit(item, [...path, seg], depth + 1, out);
    });
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(record)) {
      if (typeof item === 'string') out.push(field([...path, key], item, (v) => (record[key] = v)));
      else visit(item, [...path, key], depth + 1, out);
    }
  }
}

function field(path: Segment[], value: string, set: (v: string) => void): TextField {
  return { path, key: path.map((s) => (typeof s === 'string' ? s : `[${s.index ?? s.pos}]`)).join('.'), value, set };
}

/** A text inside a choice whose fragments, event after event, form one text (content, arguments, ...). */
export function isStreamedText(f: TextField): boolean {
  const leaf = f.path.at(-1);
  return f.path[0] === 'choices' && typeof leaf === 'string' && STREAMED_KEYS.has(leaf);
}

/** The smallest event body that carries `text` at `path` (for text released at the end of a stream). */
export function patchFor(path: Segment[], text: string): Record<string, unknown> {
  let node: unknown = text;
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i]!;
    if (typeof seg === 'string') node = { [seg]: node };
    else if (node && typeof node === 'object') node = [{ ...(seg.index !== undefined ? { index: seg.index } : {}), ...(seg.type !== undefined ? { type: seg.type } : {}), ...node }];
    else node = [node];
  }
  return node as Record<string, unknown>;
}
