/**
 * The built-in demo upstream: a small OpenAI-compatible server that answers deterministically, streaming
 * and not, plus a tiny dataset store for the generic-route demo. It checks the credential Warden injects,
 * so the demo shows that clients never hold the upstream key. It also serves the benchmarks and tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface DemoUpstreamOptions {
  port?: number;
  host?: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Delay between streamed chunks, in ms. */
  chunkDelayMs?: number;
}

export interface DemoUpstream {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const WORDS = ['Warden', 'verified', 'this', 'request', 'before', 'it', 'reached', 'the', 'model', 'and', 'checked', 'the', 'answer', 'too.'];

function answerFor(prompt: string): string[] {
  const digest = createHash('sha256').update(prompt).digest();
  return WORDS.map((w, i) => (i === 0 ? w : (digest[i]! % 7 === 0 ? w.toUpperCase() : w)));
}

function promptOf(body: Record<string, unknown>): string {
  if (Array.isArray(body.messages)) {
    const last = body.messages.at(-1) as { content?: unknown } | undefined;
    return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
  }
  return typeof body.prompt === 'string' ? body.prompt : JSON.stringify(body.prompt ?? '');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function float32Base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

/** Tokens counted as words: the prompt's and the answer's. */
function usageOf(body: Record<string, unknown>, words: string[]): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const prompt = promptOf(body).split(/\s+/).length;
  return { prompt_tokens: prompt, completion_tokens: words.length, total_tokens: prompt + words.length };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startDemoUpstream(options: DemoUpstreamOptions = {}): Promise<DemoUpstream> {
  const datasets = new Map<string, Buffer>([['customer-support', Buffer.from('{"q":"reset password","a":"use the portal"}\n')]]);
  const server = createServer((req, res) => {
    void (async () => {
      if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) return json(res, 401, { error: { message: 'invalid upstream key', type: 'invalid_request_error' } });
      const url = req.url ?? '/';
      if (url === '/v1/models') return json(res, 200, { object: 'list', data: ['demo-chat', 'demo-embed'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'demo' })) });
      if (url.startsWith('/store/datasets/')) {
        const name = decodeURIComponent(url.slice('/store/datasets/'.length).split('?')[0]!);
        if (req.method === 'PUT') {
          const chunks: Buffer[] = [];
          for await (const chunk of req) chunks.push(chunk as Buffer);
          datasets.set(name, Buffer.concat(chunks));
          return json(res, 200, { name, bytes: datasets.get(name)!.length });
        }
        if (req.method === 'DELETE') return json(res, datasets.delete(name) ? 200 : 404, { name });
        const data = datasets.get(name);
        if (!data) return json(res, 404, { error: 'no such dataset' });
        res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': data.length });
        return res.end(data);
      }
      if (req.method !== 'POST') return json(res, 404, { error: { message: 'not found' } });
      const body = await readJson(req);
      const model = typeof body.model === 'string' ? body.model : 'demo-chat';
      const created = 1_700_000_000;
      if (url === '/v1/embeddings') {
        const inputs = Array.isArray(body.input) ? body.input : [body.input];
        const data = inputs.map((input, index) => {
          const d = createHash('sha256').update(String(input)).digest();
          const vector = Array.from({ length: 8 }, (_, i) => (d[i]! - 128) / 128);
          // The OpenAI SDKs ask for base64 by default: little-endian float32s, as the real API sends them.
          return { object: 'embedding', index, embedding: body.encoding_format === 'base64' ? float32Base64(vector) : vector };
        });
        return json(res, 200, { object: 'list', data, model, usage: { prompt_tokens: inputs.length * 4, total_tokens: inputs.length * 4 } });
      }
      if (url !== '/v1/chat/completions' && url !== '/v1/completions') return json(res, 404, { error: { message: 'not found' } });
      const words = answerFor(promptOf(body));
      const id = `chatcmpl-${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12)}`;
      const chat = url === '/v1/chat/completions';
      if (body.stream === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        for (const [i, word] of words.entries()) {
          const text = (i === 0 ? '' : ' ') + word;
          const choice = chat ? { index: 0, delta: i === 0 ? { role: 'assistant', content: text } : { content: text }, finish_reason: null } : { index: 0, text, finish_reason: null };
          res.write(`data: ${JSON.stringify({ id, object: chat ? 'chat.completion.chunk' : 'text_completion', created, model, choices: [choice] })}\n\n`);
          if (options.chunkDelayMs) await sleep(options.chunkDelayMs);
          if (res.destroyed) return;
        }
        const last = chat ? { index: 0, delta: {}, finish_reason: 'stop' } : { index: 0, text: '', finish_reason: 'stop' };
        res.write(`data: ${JSON.stringify({ id, object: chat ? 'chat.completion.chunk' : 'text_completion', created, model, choices: [last] })}\n\n`);
        // As OpenAI does with `stream_options.include_usage`: a final chunk with no choices and the usage.
        if ((body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true) {
          res.write(`data: ${JSON.stringify({ id, object: chat ? 'chat.completion.chunk' : 'text_completion', created, model, choices: [], usage: usageOf(body, words) })}\n\n`);
        }
        res.end('data: [DONE]\n\n');
        return;
      }
      const text = words.join(' ');
      const usage = usageOf(body, words);
      const choice = chat ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' } : { index: 0, text, finish_reason: 'stop' };
      return json(res, 200, { id, object: chat ? 'chat.completion' : 'text_completion', created, model, choices: [choice], usage });
    })().catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
