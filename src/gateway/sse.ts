/**
 * Server-sent events framing for answers relayed from an upstream (WHATWG HTML §9.2): lines end in CRLF,
 * LF or a lone CR, and an empty line ends an event. Every framing is normalised before events are cut, so
 * an upstream cannot hide an event from inspection by choosing a line ending the client also accepts.
 *
 * @example
 * const sse = new SseSplitter(1 << 20);
 * sse.push(Buffer.from('data: {"a":1}\r\rdata: [DO')); // ['data: {"a":1}']
 * sse.push(Buffer.from('NE]\r\r'));                    // ['data: [DONE]']
 * parseEvent('event: x\ndata: 1\ndata: 2')              // { event: 'x', data: '1\n2' }
 */
import { StringDecoder } from 'node:string_decoder';

export class SseTooLargeError extends Error {}

export class SseSplitter {
  private readonly decoder = new StringDecoder('utf8');
  /** Text of the event still arriving, in pieces: joined only once the event is complete. */
  private parts: string[] = [];
  private size = 0;
  /** The pending text ends in LF: a LF starting the next chunk ends the event. */
  private endsWithLf = false;
  /** The last chunk ended in CR: a LF starting the next one belongs to the same line ending. */
  private trailingCr = false;

  /** @param maxEvent the longest event held while waiting for its end; a longer one cannot be inspected. */
  constructor(private readonly maxEvent: number) {}

  /** Complete events in this chunk (raw text, lines joined by LF). Throws SseTooLargeError past the limit. */
  push(chunk: Buffer): string[] {
    return this.cut(this.decoder.write(chunk));
  }

  /** What is left at the end of the stream (an event without its final empty line), if anything. */
  end(): string | undefined {
    const events = this.cut(this.decoder.end() + '\n\n');
    return events.length ? events.join('\n') : undefined;
  }

  /** Only the new text is searched, and held pieces are joined once per event: linear in the stream. */
  private cut(input: string): string[] {
    let text = input;
    if (this.trailingCr && text.startsWith('\n')) text = text.slice(1);
    if (text.length) this.trailingCr = text.endsWith('\r');
    text = text.replace(/\r\n?/g, '\n');
    const events: string[] = [];
    let pos = 0;
    if (this.endsWithLf && text.startsWith('\n')) {
      this.emit(this.parts.join('').slice(0, -1), events);
      pos = 1;
    }
    for (let end = text.indexOf('\n\n', pos); end !== -1; end = text.indexOf('\n\n', pos)) {
      this.emit(this.parts.join('') + text.slice(pos, end), events);
      pos = end + 2;
    }
    const rest = text.slice(pos);
    if (rest.length) {
      this.parts.push(rest);
      this.size += rest.length;
      this.endsWithLf = rest.endsWith('\n');
    }
    if (this.size > this.maxEvent) throw new SseTooLargeError(`an event is longer than ${this.maxEvent} bytes`);
    return events;
  }

  private emit(event: string, events: string[]): void {
    if (event.trim()) events.push(event);
    this.parts = [];
    this.size = 0;
    this.endsWithLf = false;
  }
}

export interface SseEvent {
  /** The `event:` field, when present. */
  event?: string;
  /** The `data:` lines joined by LF; undefined for an event without data (a comment or keep-alive). */
  data?: string;
}

export function parseEvent(raw: string): SseEvent {
  const out: SseEvent = {};
  const data: string[] = [];
  for (const line of raw.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') out.event = value;
  }
  if (data.length) out.data = data.join('\n');
  return out;
}

/** One event as Warden sends it: an `event:` name only when it is a plain token, then the data. */
/** The data of an error event or body in Warden's one error shape. */
export function errorJson(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

export function formatEvent(data: string, event?: string): string {
  const name = event !== undefined && /^[\w.-]{1,64}$/.test(event) ? `event: ${event}\n` : '';
  return `${name}data: ${data}\n\n`;
}
