/**
 * Output validation on the relay: every string of an OpenAI-style answer passes the guard's output
 * inspector before it reaches the client (see answer-fields.ts), in every framing the client would accept:
 * SSE with any line ending, a JSON body, a text body. Streamed text fields (content, reasoning, refusal,
 * tool call arguments) are inspected as one text per field across events, so a secret split over chunks is
 * still caught; every other string is inspected on its own. What cannot be inspected within limits (an
 * event that is not JSON, an oversized event, too deep a nesting) ends the answer with an error instead
 * of being relayed. Log probabilities are removed from inspected answers (they repeat the text token by
 * token). An upstream error event is replaced by Warden's own. Answers also report the model
 * name the client asked for, not the upstream's internal one.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { GuardBlock, GuardFinding, OutputInspector } from '../guard/index.js';
import type { RelayOptions } from './relay.js';
import { AnswerTooDeepError, isStreamedText, patchFor, textFields, type TextField } from './answer-fields.js';
import { SseSplitter, SseTooLargeError, errorJson, formatEvent, parseEvent } from './sse.js';
import { usageOf, type AnswerUsage } from './usage.js';

export interface OutputGuardResult {
  findings: GuardFinding[];
  stopped?: GuardBlock;
}

export interface AnswerOptions {
  /** Output inspection; absent when the route does not inspect answers (only the model name is rewritten). */
  createInspector?: (() => OutputInspector) | undefined;
  /** The model name the client asked for, shown instead of the upstream's name. */
  model?: string | undefined;
  /** The longest SSE event held while waiting for its end. */
  maxEventBytes: number;
  /** Receives the usage a stream's events report (the final chunk, with `stream_options.include_usage`). */
  onUsage?: ((usage: AnswerUsage) => void) | undefined;
}

export type AnswerFraming = 'sse' | 'json' | 'text';

type Relay = Pick<RelayOptions, 'transform' | 'flush'>;

/**
 * How an answer is framed, from its headers: SSE, JSON, or text (a `text/*` type, or none). Undefined for
 * anything Warden cannot read as text: another media type, a charset other than UTF-8, a compressed body.
 */
export function answerFraming(headers: IncomingHttpHeaders): AnswerFraming | undefined {
  const encoding = String(headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '') return undefined;
  const [type = '', ...params] = String(headers['content-type'] ?? '').toLowerCase().split(';').map((p) => p.trim());
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') return undefined;
  if (type === 'text/event-stream') return 'sse';
  if (/^application\/([\w.-]+\+)?json$/.test(type)) return 'json';
  if (type === '' || type.startsWith('text/')) return 'text';
  return undefined;
}

const UNINSPECTABLE = (message: string): GuardBlock => ({ code: 'upstream_invalid_answer', message });
const UPSTREAM_FAILED: GuardBlock = { code: 'upstream_unavailable', message: 'the upstream reported an error during the answer' };

export function answerRelay(options: AnswerOptions, framing: AnswerFraming, result: OutputGuardResult): Relay {
  const fields = new FieldInspector(options, result);
  if (framing === 'sse') return sseRelay(fields, options, result);
  return wholeRelay(fields, framing, options, result);
}

const MEMO_MAX_CHARS = 256;
const MEMO_MAX_ENTRIES = 1_024;

/** Inspects strings: one inspector per streamed field for the whole answer, a fresh one for any other string. */
class FieldInspector {
  private readonly streams = new Map<string, { inspector: OutputInspector; path: TextField['path'] }>();
  private readonly memo = new Map<string, { text: string; stop?: GuardBlock }>();
  constructor(private readonly options: AnswerOptions, private readonly result: OutputGuardResult) {}

  get inspecting(): boolean {
    return this.options.createInspector !== undefined;
  }

  /** Inspects every string of a parsed payload in place; returns the first stop. */
  inspect(payload: unknown, streamed: boolean): GuardBlock | undefined {
    if (!this.inspecting && this.options.model === undefined) return undefined;
    if (this.inspecting) dropLogprobs(payload);
    let stop: GuardBlock | undefined;
    for (const f of textFields(payload)) {
      if (this.options.model !== undefined && f.key === 'model') {
        f.set(this.options.model);
        continue;
      }
      // Embedding vectors in base64 carry numbers, not text.
      if (f.path[0] === 'data' && f.path.at(-1) === 'embedding') continue;
      const r = streamed && isStreamedText(f) ? this.push(f) : this.whole(f.value);
      f.set(r.text);
      stop ??= r.stop;
      if (stop) break;
    }
    return stop;
  }

  /** A whole text through a fresh inspector; short texts repeated in every event (ids, object names) are inspected once. */
  whole(text: string): { text: string; stop?: GuardBlock } {
    const create = this.options.createInspector;
    if (!create) return { text };
    const short = text.length <= MEMO_MAX_CHARS;
    const known = short ? this.memo.get(text) : undefined;
    if (known) return known;
    const result = this.inspectOnce(create, text);
    if (short && this.memo.size < MEMO_MAX_ENTRIES) this.memo.set(text, result);
    return result;
  }

  private inspectOnce(create: () => OutputInspector, text: string): { text: string; stop?: GuardBlock } {
    const inspector = create();
    const head = inspector.push(text);
    const tail = inspector.end();
    this.result.findings.push(...tail.findings);
    const stop = head.stop ?? tail.stop;
    return stop ? { text: head.text + tail.text, stop } : { text: head.text + tail.text };
  }

  private push(f: TextField): { text: string; stop?: GuardBlock } {
    const create = this.options.createInspector;
    if (!create) return { text: f.value };
    let s = this.streams.get(f.key);
    if (!s) this.streams.set(f.key, (s = { inspector: create(), path: f.path }));
    return s.inspector.push(f.value);
  }

  /** Ends every streamed field: the text each still held, as event bodies, and the first stop. */
  finish(): { patches: Record<string, unknown>[]; stop?: GuardBlock } {
    const patches: Record<string, unknown>[] = [];
    let stop: GuardBlock | undefined;
    for (const { inspector, path } of this.streams.values()) {
      const end = inspector.end();
      this.result.findings.push(...end.findings);
      if (end.text) patches.push(patchFor(path, end.text));
      stop ??= end.stop;
    }
    this.streams.clear();
    return stop ? { patches, stop } : { patches };
  }
}

/**
 * Log probabilities repeat the answer token by token (as strings and as UTF-8 byte arrays), so a secret
 * split over tokens would pass a per-string check: an inspected answer carries no `logprobs`.
 */
function dropLogprobs(payload: unknown): void {
  const choices = (payload as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return;
  for (const choice of choices) {
    if (choice && typeof choice === 'object' && (choice as { logprobs?: unknown }).logprobs != null) (choice as { logprobs: unknown }).logprobs = null;
  }
}

function sseRelay(fields: FieldInspector, options: AnswerOptions, result: OutputGuardResult): Relay {
  const splitter = new SseSplitter(options.maxEventBytes);
  /** Top-level fields of the last event with choices (id, model, ...), repeated on the events that carry released tails. */
  let meta: Record<string, unknown> = {};
  let ended = false;

  const stopWith = (stop: GuardBlock, out: string): { text: string; stop: GuardBlock } => {
    ended = true;
    result.stopped = stop;
    return { text: out + formatEvent(errorJson(stop.code, stop.message)), stop };
  };
  const tails = (): { text: string; stop?: GuardBlock } => {
    const { patches, stop } = fields.finish();
    let out = '';
    for (const p of patches) out += formatEvent(JSON.stringify({ ...meta, ...p }));
    return stop ? stopWith(stop, out) : { text: out };
  };
  const rewrite = (raw: string): { text: string; stop?: GuardBlock } => {
    const { event, data } = parseEvent(raw);
    // Comments and keep-alives carry no data for the client's parser; they are not relayed.
    if (data === undefined) return { text: '' };
    if (data.trim() === '[DONE]') {
      const t = tails();
      return t.stop ? t : { text: t.text + formatEvent('[DONE]', event) };
    }
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      if (!fields.inspecting) return { text: formatEvent(data, event) };
      return stopWith(UNINSPECTABLE('the upstream sent a stream event that is not JSON'), '');
    }
    if (payload && typeof payload === 'object' && !Array.isArray(payload) && 'error' in payload && !('choices' in payload)) return stopWith(UPSTREAM_FAILED, '');
    const usage = options.onUsage && usageOf(payload);
    if (usage) options.onUsage!(usage);
    if (payload && typeof payload === 'object' && Array.isArray((payload as { choices?: unknown }).choices)) {
      meta = Object.fromEntries(Object.entries(payload).filter(([k, v]) => k !== 'choices' && k !== 'usage' && (v === null || typeof v !== 'object')));
      if (options.model !== undefined && 'model' in meta) meta.model = options.model;
    }
    const stop = fields.inspect(payload, true);
    const out = formatEvent(JSON.stringify(payload), event);
    return stop ? stopWith(stop, out) : { text: out };
  };
  const run = (events: () => string[]): { data: string; stop?: string } => {
    let out = '';
    let items: string[];
    try {
      items = events();
    } catch (error) {
      if (!(error instanceof SseTooLargeError)) throw error;
      return { data: stopWith(UNINSPECTABLE('the upstream sent a stream event larger than Warden inspects'), '').text, stop: 'upstream_invalid_answer' };
    }
    for (const raw of items) {
      let r: { text: string; stop?: GuardBlock };
      try {
        r = rewrite(raw);
      } catch (error) {
        if (!(error instanceof AnswerTooDeepError)) throw error;
        r = stopWith(UNINSPECTABLE(error.message), '');
      }
      out += r.text;
      if (r.stop) return { data: out, stop: r.stop.code === 'upstream_invalid_answer' || r.stop.code === 'upstream_unavailable' ? r.stop.code : 'guard_output_stopped' };
    }
    return { data: out };
  };
  return {
    transform(chunk) {
      if (ended) return { data: '' };
      return run(() => splitter.push(chunk));
    },
    flush() {
      if (ended) return { data: '' };
      // The upstream ended without `[DONE]`: inspect what is left and release what the inspectors hold.
      const last = run(() => {
        const rest = splitter.end();
        return rest === undefined ? [] : [rest];
      });
      if (last.stop) return { data: last.data };
      return { data: last.data + tails().text };
    },
  };
}

function wholeRelay(fields: FieldInspector, framing: 'json' | 'text', options: AnswerOptions, result: OutputGuardResult): Relay {
  const chunks: Buffer[] = [];
  const refuse = (stop: GuardBlock): { data: string; status: number } => {
    result.stopped = stop;
    return { data: errorJson(stop.code, stop.message), status: 502 };
  };
  return {
    transform(chunk) {
      chunks.push(chunk);
      return { data: '' };
    },
    flush() {
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      if (framing === 'text') {
        const r = fields.whole(text);
        return r.stop ? refuse(r.stop) : { data: r.text };
      }
      if (!fields.inspecting && options.model === undefined) return { data: raw };
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        return fields.inspecting ? refuse(UNINSPECTABLE('the upstream answer is not valid JSON')) : { data: raw };
      }
      let stop: GuardBlock | undefined;
      try {
        stop = fields.inspect(payload, false);
      } catch (error) {
        if (!(error instanceof AnswerTooDeepError)) throw error;
        stop = UNINSPECTABLE(error.message);
      }
      return stop ? refuse(stop) : { data: JSON.stringify(payload) };
    },
  };
}
