/**
 * One real Warden process (`warden start`) in front of the recording test upstream, with API keys for a
 * user, an admin and a metrics scraper, shared by the request-side tests of test/gateway.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

export const UPSTREAM_SECRET = 'sk-upstream-request-side-0123456789';

export interface Setup {
  warden: WardenProcess;
  upstream: TestUpstream;
  keys: { user: string; admin: string; scraper: string };
  stop(): Promise<void>;
}

export async function startSetup(extra: Record<string, unknown> = {}): Promise<Setup> {
  const upstream = await startTestUpstream(UPSTREAM_SECRET);
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  const newKey = async (principal: string): Promise<string> => {
    const result = await runCli(['keys', 'create', '--principal', principal, '--data-dir', join(dir, 'data')]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim().split('\n').at(-1)!;
  };
  const keys = { user: await newKey('alice'), admin: await newKey('carol'), scraper: await newKey('prometheus') };
  const warden = await startWarden(
    {
      principals: [
        { id: 'alice', groups: ['engineering'], roles: ['user'] },
        { id: 'carol', groups: ['security'], roles: ['admin'] },
        { id: 'prometheus', kind: 'Service', roles: ['metrics'] },
      ],
      upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_SECRET }],
      models: [
        { id: 'chat', upstream: 'main', sensitivity: 'internal' },
        { id: 'embedder', upstream: 'main', sensitivity: 'internal' },
        // Configured, but alice (no clearance) may not use it: it must look like an unknown model to her.
        { id: 'vault', upstream: 'main', sensitivity: 'restricted' },
      ],
      routes: [
        { name: 'datasets', methods: ['GET', 'PUT'], path: '/datasets/:id', action: { GET: 'read', PUT: 'write' }, resource: { type: 'Dataset', id: '{id}', attributes: { sensitivity: 'internal', owner: 'data' } }, upstream: 'main', upstreamPath: '/store/{id}' },
        // No upstreamPath: the request path itself is forwarded.
        { name: 'files', methods: ['GET'], path: '/store/:id', action: 'read', resource: { type: 'Dataset', id: '{id}', attributes: { sensitivity: 'internal', owner: 'data' } }, upstream: 'main' },
      ],
      ...extra,
    },
    { dir },
  );
  return {
    warden,
    upstream,
    keys,
    stop: async () => {
      await warden.stop();
      await upstream.close();
    },
  };
}

/** Sends raw bytes on a fresh connection and resolves with everything the server wrote until it closed. */
export function rawRequest(url: string, bytes: Buffer | string, options: { endAfterResponse?: boolean } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let out = '';
    socket.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (options.endAfterResponse && /\r\n\r\n/.test(out) && responseComplete(out)) {
        socket.destroy();
        resolve(out);
      }
    });
    socket.on('error', (error) => (out ? resolve(out) : reject(error)));
    socket.on('close', () => resolve(out));
    socket.write(bytes);
  });
}

function responseComplete(text: string): boolean {
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  const length = /content-length: (\d+)/i.exec(head);
  return length !== null && Buffer.byteLength(text.slice(head.length + 4), 'latin1') >= Number(length[1]);
}

export function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}
