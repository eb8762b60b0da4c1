/**
 * The token usage an OpenAI-style answer reports: `usage` of a JSON answer, or of the final chunk of a
 * stream asked for with `stream_options.include_usage`. Only plausible counts are believed (non-negative
 * integers); anything else leaves the usage unknown, and a token budget then charges an estimate.
 *
 * @example
 * usageOf({ usage: { prompt_tokens: 3, completion_tokens: 4 } }) // { promptTokens: 3, completionTokens: 4 }
 */
export interface AnswerUsage {
  promptTokens?: number;
  completionTokens?: number;
}

/** More than any context window: a larger count is not a count. */
const MAX_TOKENS = 1e9;

export function usageOf(payload: unknown): AnswerUsage | undefined {
  const usage = (payload as { usage?: unknown } | null)?.usage;
  if (usage === null || typeof usage !== 'object') return undefined;
  const { prompt_tokens: prompt, completion_tokens: completion } = usage as Record<string, unknown>;
  const out: AnswerUsage = {};
  if (isCount(prompt)) out.promptTokens = prompt;
  if (isCount(completion)) out.completionTokens = completion;
  return Object.keys(out).length ? out : undefined;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_TOKENS;
}
