/**
 * Webhook notifications against a real HTTP receiver: signed (HMAC-SHA256 over timestamp and body), kept
 * through a receiver outage until delivered, dead-lettered after the last attempt and replayed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../../src/store/index.js';
import { SIGNATURE_HEADER, SqliteResponseRepository, TIMESTAMP_HEADER, replayDeadLetters, verifyWebhook } from '../../src/response/index.js';
import { Notifier } from '../../src/response/notifier.js';
import { tempDir } from '../helpers/warden-process.js';

interface Receiver {
  url: string;
  port: number;
  received: { body: string; timestamp?: string; signature?: string }[];
  status: number;
  close(): Promise<void>;
}

async function receiver(port = 0): Promise<Receiver> {
  const r: Receiver = { url: '', port: 0, received: [], status: 200, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      r.received.push({ body, timestamp: req.headers[TIMESTAMP_HEADER] as string, signature: req.headers[SIGNATURE_HEADER] as string });
      res.writeHead(r.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/hook`;
  r.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return r;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function setup(maxAttempts: number) {
  const repo = new SqliteResponseRepository(openDatabase(tempDir('warden-notify-')));
  const notifier = new Notifier({ repo, config: { maxAttempts, initialBackoffMs: 20, maxBackoffMs: 100, timeoutMs: 2000 }, env: { HOOK: 'topsecret' } });
  notifier.start();
  return { repo, notifier };
}

test('a signed message reaches the receiver; the signature verifies only with the right secret and body', async () => {
  const r = await receiver();
  const { repo, notifier } = setup(5);
  const n = await notifier.enqueue({ actionId: 'a1', url: r.url, secretRef: 'env:HOOK', body: '{"x":1}' });
  await until(async () => (await repo.getNotification(n.id))?.status === 'delivered', 'delivery');
  const [got] = r.received;
  assert.equal(got?.body, '{"x":1}');
  assert.equal(verifyWebhook('topsecret', got!.timestamp, got!.body, got!.signature), true);
  assert.equal(verifyWebhook('wrong', got!.timestamp, got!.body, got!.signature), false);
  assert.equal(verifyWebhook('topsecret', got!.timestamp, '{"x":2}', got!.signature), false);
  assert.equal(verifyWebhook('topsecret', got!.timestamp, got!.body, got!.signature, Date.now() + 3_600_000), false, 'an old message is refused');
  await notifier.stop();
  await r.close();
});

test('a receiver that is down for a while loses nothing', async () => {
  const probe = await receiver();
  const port = probe.port;
  await probe.close();
  const { repo, notifier } = setup(1000);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await notifier.enqueue({ actionId: `a${i}`, url: `http://127.0.0.1:${port}/hook`, secretRef: 'env:HOOK', body: JSON.stringify({ i }) })).id);
  await until(async () => (await Promise.all(ids.map((id) => repo.getNotification(id)))).every((n) => n!.attempts >= 2), 'failed attempts');
  const r = await receiver(port);
  await until(async () => (await repo.listNotifications({ status: 'pending' })).length === 0, 'delivery after the outage');
  assert.deepEqual(new Set(r.received.map((m) => m.body)), new Set([0, 1, 2, 3, 4].map((i) => JSON.stringify({ i }))));
  await notifier.stop();
  await r.close();
});

test('after the last attempt a message is a dead letter; replay sends it again', async () => {
  const r = await receiver();
  r.status = 500;
  const { repo, notifier } = setup(2);
  const n = await notifier.enqueue({ actionId: 'a1', url: r.url, secretRef: 'env:HOOK', body: '{}' });
  await until(async () => (await repo.getNotification(n.id))?.status === 'dead', 'dead letter');
  assert.equal((await repo.getNotification(n.id))?.lastError, 'the receiver answered 500');
  r.status = 200;
  assert.equal(await replayDeadLetters(repo), 1);
  await until(async () => (await repo.getNotification(n.id))?.status === 'delivered', 'replayed delivery');
  assert.equal(await replayDeadLetters(repo, n.id), 0, 'a delivered message is not replayed');
  await notifier.stop();
  await r.close();
});
