/**
 * A hostile upstream for answer-side tests: each request names a scenario (`scenario` in its JSON body, else the last path segment)
 * and gets exactly the status, headers and raw body chunks the test scripted, so a test can send what a
 * compromised or misbehaving model server would. It records what it received.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  chunks: (string | Buffer)[];
  /** Reset the connection after the chunks instead of ending the answer. */
  reset?: boolean;
}

export interface ScriptedUpstream {
  url: string;
  scenarios: Map<string, Scripted | ((request: { headers: IncomingHttpHeaders; body: Record<string, unknown> }) => Scripted)>;
  received: { path: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const scenarios: ScriptedUpstream['scenarios'] = new Map();
  const received: ScriptedUpstream['received'] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
    } catch {
      // Not JSON: no scenario.
    }
    received.push({ path: req.url ?? '', headers: req.headers, body });
    const entry = scenarios.get(String(body.scenario ?? (req.url ?? '').split('/').at(-1)));
    const script = typeof entry === 'function' ? entry({ headers: req.headers, body }) : entry;
    if (!script) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"error":{"message":"no such scenario"}}');
    }
    res.writeHead(script.status ?? 200, script.headers ?? { 'content-type': 'application/json' });
    for (const chunk of script.chunks) {
      res.write(chunk);
      // Let each chunk travel on its own, as a model server's would.
      await new Promise((r) => setImmediate(r));
    }
    if (script.reset) res.socket?.destroy();
    else res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    scenarios,
    received,
    close: () => (server.closeAllConnections(), new Promise((r) => server.close(() => r()))),
  };
}
