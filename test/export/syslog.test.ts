import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createExporter, exportConfigSchema, type ExportConfigInput } from '../../src/export/index.js';
import { MemoryReader, SyslogFramer, dedupe, hasOpenssl, positionOf, sampleEvents, selfSignedCert, startTcpReceiver, startUdpReceiver, tempDir, waitFor } from './helpers.js';

function syslogConfig(syslog: Record<string, unknown>, format: 'cef' | 'ocsf' | 'ecs' = 'cef'): ExportConfigInput {
  return {
    pollIntervalMs: 50,
    sinks: [{ name: 'siem', type: 'syslog', format, syslog: { host: '127.0.0.1', settleMs: 200, ...syslog }, batch: { maxRecords: 25 }, retry: { initialDelayMs: 10, maxDelayMs: 200 } }],
  };
}

const RFC5424 = /^<(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ warden - warden - /;

function checkAll(messages: string[], total: number): void {
  const { unique, outOfOrder } = dedupe(messages.map(positionOf));
  assert.equal(outOfOrder, 0, 'positions arrive in order');
  assert.deepEqual(unique, Array.from({ length: total }, (_, i) => i), 'every position, no gap');
  for (const m of messages) assert.match(m, RFC5424);
}

test('syslog TCP (octet counting): nothing lost when the receiver goes away for a while, nor across a restart', async () => {
  const { dir, cleanup } = tempDir();
  let receiver = await startTcpReceiver('octet-counting');
  const port = receiver.port;
  const received: string[] = [];
  const reader = new MemoryReader();
  const config = syslogConfig({ port, protocol: 'tcp', framing: 'octet-counting' });
  try {
    reader.append(sampleEvents(0, 200));
    let exporter = await createExporter({ reader, dataDir: dir, config });
    exporter.start();
    await waitFor(() => receiver.messages.length >= 50, 'first messages');
    // The receiver dies (connections reset) and stays down while events keep coming.
    received.push(...receiver.messages);
    await receiver.close();
    reader.append(sampleEvents(200, 200));
    await waitFor(() => exporter.status().sinks[0]!.state === 'retrying', 'retrying while down');
    receiver = await startTcpReceiver('octet-counting', undefined, port);
    await waitFor(() => exporter.status().sinks[0]!.committed === 400, 'catch up');
    await exporter.stop();
    // Restart the exporter with the same data dir: it resumes from the persisted cursor.
    reader.append(sampleEvents(400, 100));
    exporter = await createExporter({ reader, dataDir: dir, config });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 500, 'after restart');
    await exporter.stop();
    await waitFor(() => receiver.messages.some((m) => positionOf(m) === 499), 'last message received');
    received.push(...receiver.messages);
    checkAll(received, 500);
    assert.ok(received[0]!.includes('CEF:0|Warden|Warden|'));
  } finally {
    await receiver.close();
    cleanup();
  }
});

test('syslog TCP: a dropped connection rewinds to the unsettled records', async () => {
  const { dir, cleanup } = tempDir();
  const receiver = await startTcpReceiver('newline');
  const reader = new MemoryReader();
  try {
    const exporter = await createExporter({ reader, dataDir: dir, config: syslogConfig({ port: receiver.port, protocol: 'tcp', framing: 'newline', settleMs: 60_000 }, 'ocsf') });
    exporter.start();
    reader.append(sampleEvents(0, 30));
    await waitFor(() => receiver.messages.length >= 30, 'first messages');
    // Nothing has settled (settleMs is long), so the persisted cursor has not moved past the window.
    assert.equal(exporter.status().sinks[0]!.committed, 0);
    receiver.dropConnections();
    reader.append(sampleEvents(30, 10));
    await waitFor(() => exporter.status().sinks[0]!.rewinds >= 1, 'rewind');
    await waitFor(() => dedupe(receiver.messages.map(positionOf)).unique.length === 40, 'resend');
    await exporter.stop();
    assert.equal(exporter.status().sinks[0]!.committed, 40);
    const { unique, duplicates } = dedupe(receiver.messages.map(positionOf));
    assert.deepEqual(unique, Array.from({ length: 40 }, (_, i) => i));
    assert.ok(duplicates >= 30, `the unsettled window was resent (${duplicates} duplicates)`);
    for (const m of receiver.messages) assert.ok(JSON.parse(m.slice(m.indexOf('{'))).class_uid);
  } finally {
    await receiver.close();
    cleanup();
  }
});

test('syslog UDP: one CEF message per datagram, in order, across a restart', async () => {
  const { dir, cleanup } = tempDir();
  const receiver = await startUdpReceiver();
  const reader = new MemoryReader();
  const config = syslogConfig({ port: receiver.port, protocol: 'udp' });
  try {
    reader.append(sampleEvents(0, 120));
    let exporter = await createExporter({ reader, dataDir: dir, config });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 120, 'sent');
    await exporter.stop();
    reader.append(sampleEvents(120, 30));
    exporter = await createExporter({ reader, dataDir: dir, config });
    exporter.start();
    await waitFor(() => receiver.messages.length >= 150, 'received');
    await exporter.stop();
    checkAll(receiver.messages, 150);
    // facility 13 (log audit), severity from the event: the high detection (3) -> <107>.
    assert.match(receiver.messages[3]!, /^<107>1 /);
  } finally {
    await receiver.close();
    cleanup();
  }
});

const noOpenssl = hasOpenssl() ? false : 'the openssl CLI is not installed: cannot make a test certificate';

test('syslog TLS: verified against the receiver certificate, across a restart', { skip: noOpenssl }, async () => {
  const { dir, cleanup } = tempDir();
  const cert = selfSignedCert(dir);
  const receiver = await startTcpReceiver('octet-counting', cert);
  const reader = new MemoryReader();
  const config = syslogConfig({ port: receiver.port, protocol: 'tls', tls: { caFile: cert.certFile } }, 'ecs');
  try {
    reader.append(sampleEvents(0, 80));
    let exporter = await createExporter({ reader, dataDir: dir, config });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 80, 'sent');
    await exporter.stop();
    reader.append(sampleEvents(80, 20));
    exporter = await createExporter({ reader, dataDir: dir, config });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 100, 'sent after restart');
    await exporter.stop();
    await waitFor(() => receiver.messages.length >= 100, 'received');
    checkAll(receiver.messages, 100);
    const doc = JSON.parse(receiver.messages[0]!.slice(receiver.messages[0]!.indexOf('{'))) as { event: { sequence: number; hash: string } };
    assert.equal(doc.event.sequence, 0);
    assert.equal(doc.event.hash, reader.records[0]!.leafHash);
  } finally {
    await receiver.close();
    cleanup();
  }
});

test('syslog TLS: an untrusted certificate is refused and the sink keeps retrying', { skip: noOpenssl }, async () => {
  const { dir, cleanup } = tempDir();
  const cert = selfSignedCert(dir);
  const receiver = await startTcpReceiver('octet-counting', cert);
  const reader = new MemoryReader();
  try {
    reader.append(sampleEvents(0, 5));
    const exporter = await createExporter({ reader, dataDir: dir, config: syslogConfig({ port: receiver.port, protocol: 'tls' }) });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.retries >= 2, 'retries');
    const status = exporter.status().sinks[0]!;
    await exporter.stop();
    assert.equal(status.committed, 0);
    assert.match(status.lastError ?? '', /tls connect/);
    assert.equal(receiver.messages.length, 0);
  } finally {
    await receiver.close();
    cleanup();
  }
});

test('octet-counting framer handles split and multi-byte messages', () => {
  const out: string[] = [];
  const framer = new SyslogFramer('octet-counting', (m) => out.push(m));
  const msg = 'héllo wörld';
  const framed = Buffer.from(`${Buffer.byteLength(msg)} ${msg}${Buffer.byteLength(msg)} ${msg}`);
  framer.push(framed.subarray(0, 5));
  framer.push(framed.subarray(5));
  assert.deepEqual(out, [msg, msg]);
  assert.ok(exportConfigSchema.parse({ sinks: [{ name: 'x', type: 'syslog', syslog: { host: 'h' } }] }).sinks[0]);
});
