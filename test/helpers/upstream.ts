/**
 * A real OpenAI-compatible upstream for end-to-end tests. It records what it received (to prove that the
 * client's credential never reaches it), and streams in lock-step with the test when asked, so a test can
 * prove that chunks are relayed as they are produced rather than buffered.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestUpstream {
  url: string;
  received: { path: string; headers: IncomingHttpHeaders; body: string }[];
  /** Resolves the next wait of a lock-step stream. */
  release(): void;
  /** Resolves when the stream has written chunk `n` (1-based). */
  written(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTestUpstream(secret: string): Promise<TestUpstream> {
  const received: TestUpstream['received'] = [];
  let releaseNext: (() => void) | undefined;
  let writtenCount = 0;
  const writtenWaiters: { n: number; resolve: () => void }[] = [];
  const markWritten = () => {
    writtenCount++;
    for (const w of writtenWaiters.filter((w) => w.n <= writtenCount)) w.resolve();
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    received.push({ path: req.url ?? '', headers: req.headers, body });
    if (req.headers.authorization !== `Bearer ${secret}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end('{"error":"bad upstream key"}');
    }
    if (req.url?.startsWith('/store/')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(`stored object ${req.url}`);
    }
    const parsed = JSON.parse(body || '{}') as { model?: string; stream?: boolean; lockstep?: boolean; reply?: string[]; echoSystem?: boolean; messages?: { role: string; content: string }[] };
    // Scripted answers for output-guard tests: given chunks, or the system prompt echoed back (a leak).
    const scripted = parsed.echoSystem ? [parsed.messages?.find((m) => m.role === 'system')?.content ?? ''] : parsed.reply;
    if (scripted) {
      if (parsed.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const piece of scripted) res.write(`data: ${JSON.stringify({ id: 's', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: piece } }] })}\n\n`);
        return res.end('data: [DONE]\n\n');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ id: 's', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: scripted.join('') } }] }));
    }
    if (req.url === '/v1/embeddings') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: parsed.model }));
    }
    if (parsed.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 1; i <= 3; i++) {
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `Here is part${i}. ` } }] })}\n\n`);
        markWritten();
        if (parsed.lockstep && i < 3) {
          await new Promise<void>((resolve) => (releaseNext = resolve));
        }
        if (res.destroyed) return;
      }
      return res.end('data: [DONE]\n\n');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'x', object: req.url === '/v1/completions' ? 'text_completion' : 'chat.completion', model: parsed.model, choices: [{ index: 0, message: { role: 'assistant', content: 'hello from upstream' } }], usage: { prompt_tokens: 3, completion_tokens: 4 } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    release: () => {
      const r = releaseNext;
      releaseNext = undefined;
      r?.();
    },
    written: (n) => (writtenCount >= n ? Promise.resolve() : new Promise((resolve) => writtenWaiters.push({ n, resolve }))),
    close: () => {
      releaseNext?.();
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A server that accepts connections and never answers (for upstream timeouts). */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => (server.closeAllConnections(), new Promise((r) => server.close(() => r()))) };
}
