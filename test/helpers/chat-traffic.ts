/**
 * Chat completions as a client sends them, for the cluster tests: each request carries its own
 * `x-request-id` (the decision event records it), and counts as answered only when the complete answer
 * arrived with 200, which is when Warden has made its decision event durable (the last byte waits on it).
 *
 * @example
 * const traffic = startTraffic({ url: balancer.url, key, prefix: 'nats', concurrency: 6 });
 * await waitFor('some answers', () => traffic.answered.length >= 50);
 * const answered = await traffic.stop();
 */
import { Agent, request } from 'node:http';

/** How long one request may take before it counts as not answered (a hung answer must not hang the test). */
const REQUEST_TIMEOUT_MS = 30_000;

/** One chat completion; true only when the complete answer arrived with 200. */
export function sendChat(url: string, key: string, requestId: string, options: { stream?: boolean; model?: string; agent?: Agent } = {}): Promise<boolean> {
  const base = new URL(url);
  const body = JSON.stringify({ model: options.model ?? 'demo-chat', stream: options.stream ?? false, messages: [{ role: 'user', content: 'hello' }] });
  return new Promise((resolve) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: '/v1/chat/completions',
        ...(options.agent ? { agent: options.agent } : {}),
        headers: { authorization: `Bearer ${key}`, 'x-request-id': requestId, 'content-type': 'application/json' },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.complete && res.statusCode === 200));
        res.on('error', () => resolve(false));
        res.on('aborted', () => resolve(false));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

export interface Traffic {
  /** Request ids answered completely with 200, in the order they were answered. */
  readonly answered: readonly string[];
  /** Requests sent so far (answered or not). */
  readonly sent: number;
  /** Stops sending, waits for the requests in flight, returns the answered ids. */
  stop(): Promise<string[]>;
}

/** `concurrency` clients sending chat completions (JSON and streamed, alternately) until stopped. */
export function startTraffic(options: { url: string; key: string; prefix: string; concurrency?: number }): Traffic {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 6 });
  const answered: string[] = [];
  let sent = 0;
  let stopped = false;
  const loops = Array.from({ length: options.concurrency ?? 6 }, async () => {
    while (!stopped) {
      const n = sent++;
      const id = `${options.prefix}-${n}`;
      if (await sendChat(options.url, options.key, id, { stream: n % 2 === 1, agent })) answered.push(id);
    }
  });
  return {
    answered,
    get sent() {
      return sent;
    },
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
      return [...answered];
    },
  };
}
