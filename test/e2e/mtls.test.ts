/** mTLS workload identity on the optional TLS listener: SPIFFE URI SAN, else subject CN; untrusted certs refused. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issue, makeCa } from '../helpers/certs.js';
import { startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

let warden: WardenProcess;
let dir: string;

before(async () => {
  dir = tempDir();
  makeCa(dir);
  issue(dir, 'server', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  issue(dir, 'indexer', 'ignored-cn', 'URI:spiffe://example.org/ns/ml/sa/indexer');
  issue(dir, 'plain', 'report-builder', 'DNS:report-builder.internal');
  // A second CA that Warden does not trust.
  const rogue = join(dir, 'rogue');
  mkdirSync(rogue);
  makeCa(rogue);
  issue(rogue, 'intruder', 'intruder', 'URI:spiffe://example.org/ns/ml/sa/indexer');
  warden = await startWarden(
    {
      server: { tls: { port: 0, cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem') } },
      principals: [
        { id: 'spiffe://example.org/ns/ml/sa/indexer', kind: 'Service', groups: ['engineering'] },
        { id: 'report-builder', kind: 'Service', groups: ['contractors'] },
      ],
      demo: { upstream: true },
      upstreams: [{ name: 'demo', baseUrl: 'http://127.0.0.1/v1', apiKey: 'demo-upstream-secret' }],
      models: [{ id: 'demo-chat', upstream: 'demo', sensitivity: 'internal' }, { id: 'secure', upstream: 'demo', upstreamModel: 'demo-chat', sensitivity: 'confidential' }],
    },
    { dir },
  );
});

after(async () => warden?.stop());

function call(client: string, model: string, caDir = dir): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${warden.tlsUrl}/v1/chat/completions`,
      {
        method: 'POST',
        ca: readFileSync(join(dir, 'ca.pem')),
        cert: readFileSync(join(caDir, `${client}.pem`)),
        key: readFileSync(join(caDir, `${client}.key`)),
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }));
  });
}

test('a workload is identified by its SPIFFE ID and authorised by policy', async () => {
  assert.ok(warden.tlsUrl);
  const ok = await call('indexer', 'demo-chat');
  assert.equal(ok.status, 200, ok.body);
  // mTLS is not MFA: the confidential model needs step-up even for a permitted workload.
  assert.equal((await call('indexer', 'secure')).status, 401);
});

test('without a SPIFFE ID the subject CN names the workload', async () => {
  assert.equal((await call('plain', 'demo-chat')).status, 200);
  assert.equal((await call('plain', 'secure')).status, 403);
});

test('a certificate from an untrusted CA is refused at the handshake', async () => {
  await assert.rejects(call('intruder', 'demo-chat', join(dir, 'rogue')));
});
