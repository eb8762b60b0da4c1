/**
 * A small round-robin HTTP load balancer for cluster tests and benchmarks, standing in for the one an
 * operator puts in front of several Warden instances. It passes each request to the next backend that is
 * in rotation and relays the answer byte for byte; like nginx without `proxy_next_upstream` for POST, it
 * never retries a request on another backend (that could decide it twice). A backend that cannot be
 * reached is taken out of rotation (a passive health check) and the client gets 502; an answer cut by a
 * backend's death is cut for the client too, so a client sees a complete answer only when the backend
 * sent one.
 *
 * @example
 * const balancer = await startBalancer([a.url, b.url, c.url]);
 * await fetch(`${balancer.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
 * balancer.remove(b.url);
 */
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

export interface Balancer {
  url: string;
  /** Takes a backend out of rotation (its process was stopped on purpose). */
  remove(backend: string): void;
  close(): Promise<void>;
}

/** Headers that describe one connection, not the message: never relayed. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function relayable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

export async function startBalancer(targets: string[]): Promise<Balancer> {
  let backends = [...targets];
  let next = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => {
    if (backends.length === 0) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"no backend in rotation"}');
      return;
    }
    const backend = backends[next++ % backends.length]!;
    const target = new URL(backend);
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: relayable(req.headers), agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, relayable(answer.headers));
        // An answer cut upstream is cut here too (pipeline destroys `res`), never ended as if complete.
        pipeline(answer, res, () => undefined);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') backends = backends.filter((b) => b !== backend);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"backend unreachable"}');
      else res.destroy();
    });
    // pipe, not pipeline: a failed backend must not destroy the client's socket before it gets its 502.
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    remove: (backend) => (backends = backends.filter((b) => b !== backend)),
    close: () => {
      agent.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
