/**
 * Output validation on the relay: rewrites an OpenAI-style answer through the guard's output inspector.
 * SSE answers are parsed event by event (`data:` lines, across chunk boundaries), the text deltas pass
 * through the inspector (which holds back a sliding window so a secret split over two chunks is still
 * caught) and are re-serialised; a stop ends the stream with a final error event. JSON answers are
 * buffered and rewritten whole.
 */
import { StringDecoder } from 'node:string_decoder';
import type { GuardBlock, GuardFinding, OutputInspector } from '../guard/index.js';
import type { RelayOptions } from './relay.js';

type Choice = { index?: number; delta?: { content?: unknown }; message?: { content?: unknown }; text?: unknown };
type Payload = { choices?: Choice[] } & Record<string, unknown>;

export interface OutputGuardResult {
  findings: GuardFinding[];
  stopped?: GuardBlock;
}

function errorEvent(stop: GuardBlock): string {
  return `data: ${JSON.stringify({ error: { code: stop.code, message: stop.message } })}\n\n`;
}

/** Text of a choice and a setter for it (delta.content for chat chunks, message.content, or text). */
function textSlot(choice: Choice): { get(): string | undefined; set(v: string): void } {
  if (choice.delta && typeof choice.delta.content === 'string') return { get: () => choice.delta!.content as string, set: (v) => (choice.delta!.content = v) };
  if (choice.message && typeof choice.message.content === 'string') return { get: () => choice.message!.content as string, set: (v) => (choice.message!.content = v) };
  if (typeof choice.text === 'string') return { get: () => choice.text as string, set: (v) => (choice.text = v) };
  return { get: () => undefined, set: () => undefined };
}

/** Passes each choice's text through its inspector, in place; returns the slots and the first stop. */
function inspectChoices(choices: Choice[], inspector: (i: number) => OutputInspector): { slots: Map<number, ReturnType<typeof textSlot>>; stop?: GuardBlock } {
  const slots = new Map<number, ReturnType<typeof textSlot>>();
  let stop: GuardBlock | undefined;
  for (const choice of choices) {
    const slot = textSlot(choice);
    const text = slot.get();
    if (text === undefined) continue;
    const r = inspector(choice.index ?? 0).push(text);
    slot.set(r.text);
    slots.set(choice.index ?? 0, slot);
    stop ??= r.stop;
  }
  return stop ? { slots, stop } : { slots };
}

export function guardedRelay(createInspector: () => OutputInspector, sse: boolean, result: OutputGuardResult): Pick<RelayOptions, 'transform' | 'flush'> {
  const inspectors = new Map<number, OutputInspector>();
  const inspector = (index: number): OutputInspector => {
    let i = inspectors.get(index);
    if (!i) inspectors.set(index, (i = createInspector()));
    return i;
  };
  const finish = (): { tails: Map<number, string>; stop?: GuardBlock } => {
    const tails = new Map<number, string>();
    let stop: GuardBlock | undefined;
    for (const [index, i] of inspectors) {
      const end = i.end();
      result.findings.push(...end.findings);
      if (end.text) tails.set(index, end.text);
      stop ??= end.stop;
    }
    inspectors.clear();
    return stop ? { tails, stop } : { tails };
  };
  return sse ? sseRelay(inspector, finish, result) : jsonRelay(inspector, finish, result);
}

function sseRelay(inspector: (i: number) => OutputInspector, finish: () => { tails: Map<number, string>; stop?: GuardBlock }, result: OutputGuardResult): Pick<RelayOptions, 'transform' | 'flush'> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let last: Payload | undefined;
  let ended = false;
  const tailEvents = (): string => {
    if (ended) return '';
    ended = true;
    const { tails, stop } = finish();
    let out = '';
    for (const [index, text] of tails) {
      const shape: Payload = last ? { ...last } : {};
      shape.choices = [{ index, delta: { content: text } }];
      out += `data: ${JSON.stringify(shape)}\n\n`;
    }
    if (stop) {
      result.stopped = stop;
      out += errorEvent(stop);
    }
    return out;
  };
  const rewrite = (event: string): { text: string; stop?: GuardBlock } => {
    const data = event
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '[DONE]') return { text: tailEvents() + `${event}\n\n` };
    let payload: Payload;
    try {
      payload = JSON.parse(data) as Payload;
    } catch {
      return { text: `${event}\n\n` };
    }
    if (!Array.isArray(payload.choices)) return { text: `${event}\n\n` };
    last = payload;
    const { stop } = inspectChoices(payload.choices, inspector);
    const out = `data: ${JSON.stringify(payload)}\n\n`;
    return stop ? { text: out + errorEvent(stop), stop } : { text: out };
  };
  return {
    transform(chunk) {
      pending += decoder.write(chunk);
      let out = '';
      let boundary: RegExpExecArray | null;
      while ((boundary = /\r?\n\r?\n/.exec(pending))) {
        const event = pending.slice(0, boundary.index);
        pending = pending.slice(boundary.index + boundary[0].length);
        if (!event.trim()) continue;
        const r = rewrite(event);
        out += r.text;
        if (r.stop) {
          result.stopped = r.stop;
          ended = true;
          return { data: out, stop: 'guard_output_stopped' };
        }
      }
      return { data: out };
    },
    flush() {
      if (ended) return { data: '' };
      // The upstream ended without `[DONE]`: release what the inspectors still hold.
      return { data: pending.trim() ? rewrite(pending).text + tailEvents() : tailEvents() };
    },
  };
}

function jsonRelay(inspector: (i: number) => OutputInspector, finish: () => { tails: Map<number, string>; stop?: GuardBlock }, result: OutputGuardResult): Pick<RelayOptions, 'transform' | 'flush'> {
  const chunks: Buffer[] = [];
  return {
    transform(chunk) {
      chunks.push(chunk);
      return { data: '' };
    },
    flush() {
      const raw = Buffer.concat(chunks);
      let payload: Payload;
      try {
        payload = JSON.parse(raw.toString('utf8')) as Payload;
      } catch {
        return { data: raw };
      }
      if (!Array.isArray(payload.choices)) return { data: raw };
      const inspected = inspectChoices(payload.choices, inspector);
      const slots = inspected.slots;
      let stop = inspected.stop;
      const { tails, stop: endStop } = finish();
      for (const [index, tail] of tails) {
        const slot = slots.get(index);
        if (slot) slot.set((slot.get() ?? '') + tail);
      }
      stop ??= endStop;
      if (stop) {
        result.stopped = stop;
        return { data: JSON.stringify({ error: { code: stop.code, message: stop.message } }), status: 502 };
      }
      return { data: JSON.stringify(payload) };
    },
  };
}
