/**
 * Finding 1 over real HTTP with the demo's "writes only from managed devices" rule: a claimed device no
 * longer turns 403 into 200; the laptop's enrolled client certificate does, for its owner only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoConfig } from '../../src/config/demo.js';
import { issue, makeCa } from '../helpers/certs.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

let warden: WardenProcess;
let dir: string;
const keys: Record<string, string> = {};

before(async () => {
  dir = tempDir();
  makeCa(dir);
  issue(dir, 'server', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  issue(dir, 'laptop', 'alice-laptop', 'DNS:alice-laptop.devices.internal');
  mkdirSync(join(dir, 'data'));
  for (const p of ['alice', 'bob']) keys[p] = (await runCli(['keys', 'create', '--principal', p, '--data-dir', join(dir, 'data')])).stdout.trim().split('\n').at(-1)!;
  const fingerprint = new X509Certificate(readFileSync(join(dir, 'laptop.pem'))).fingerprint256;
  warden = await startWarden(
    {
      ...demoConfig,
      demo: { upstream: true },
      devices: demoConfig.devices.map((d) => (d.id === 'alice-laptop' ? { ...d, certificates: [fingerprint] } : d)),
      server: { tls: { port: 0, cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem'), requireClientCert: false } },
    },
    { dir },
  );
});

after(async () => warden?.stop());

async function put(key: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${warden.url}/datasets/train-set`, { method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: '{"rows":1}' });
  await res.arrayBuffer();
  return res.status;
}

function putOverTls(key: string, withCertificate: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${warden.tlsUrl}/datasets/train-set`,
      {
        method: 'PUT',
        ca: readFileSync(join(dir, 'ca.pem')),
        ...(withCertificate ? { cert: readFileSync(join(dir, 'laptop.pem')), key: readFileSync(join(dir, 'laptop.key')) } : {}),
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end('{"rows":1}');
  });
}

test('x-warden-device: alice-laptop on alice\'s key no longer turns the 403 into a 200', async () => {
  assert.equal(await put(keys.alice!), 403);
  assert.equal(await put(keys.alice!, { 'x-warden-device': 'alice-laptop' }), 403);
  assert.equal(await put(keys.bob!, { 'x-warden-device': 'alice-laptop' }), 403);
});

test('the laptop\'s enrolled certificate proves the device for alice and is refused for bob', async () => {
  assert.equal(await putOverTls(keys.alice!, false), 403);
  assert.equal(await putOverTls(keys.alice!, true), 200);
  assert.equal(await putOverTls(keys.bob!, true), 403);
});
