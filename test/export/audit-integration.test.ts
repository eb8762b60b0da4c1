/** The exporter following C1's real audit log (audit.db) rather than the in-memory double. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as audit from '../../src/audit/index.js';
import { createExporter } from '../../src/export/index.js';
import { sampleEvents, startHecReceiver, tempDir, waitFor } from './helpers.js';
import { validateOcsf } from './ocsf-validator.js';

test('export follows the real audit log: positions and leaf hashes match what the log acknowledged', async () => {
  const { dir, cleanup } = tempDir();
  const hec = await startHecReceiver('t0k');
  const log = await audit.createAuditLog({ dataDir: dir, config: audit.auditConfigSchema.parse({}), env: { WARDEN_AUDIT_KEK: Buffer.alloc(32, 7).toString('base64') } });
  try {
    const acks = await Promise.all(sampleEvents(0, 120).map((e) => log.append(e)));
    const config = {
      pollIntervalMs: 50,
      sinks: [
        { name: 'jsonl', type: 'file' as const, format: 'native' as const, file: { path: join(dir, 'out.jsonl') } },
        { name: 'hec', type: 'hec' as const, format: 'ocsf' as const, hec: { url: hec.url, token: 'env:T' } },
      ],
    };
    let exporter = await createExporter({ reader: log, dataDir: dir, config, env: { T: 't0k' } });
    exporter.start();
    await waitFor(() => exporter.status().sinks.every((s) => s.committed === 120), 'first export');
    await exporter.stop();
    // Appends while the exporter is down are picked up by the next one (same data dir, same warden.db).
    acks.push(...(await Promise.all(sampleEvents(120, 40).map((e) => log.append(e)))));
    exporter = await createExporter({ reader: log, dataDir: dir, config, env: { T: 't0k' } });
    exporter.start();
    // Live appends wake the sinks through onAppend.
    acks.push(...(await Promise.all(sampleEvents(160, 40).map((e) => log.append(e)))));
    await waitFor(() => exporter.status().sinks.every((s) => s.committed === 200), 'second export');
    await exporter.stop();

    const lines = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { log_index: number; leaf_hash: string });
    assert.deepEqual(lines.map((l) => l.log_index), acks.map((a) => a.index));
    assert.deepEqual(lines.map((l) => l.leaf_hash), acks.map((a) => a.leafHash));
    const hecPositions = hec.events.map((e) => (e.fields as { warden_log_index: number }).warden_log_index);
    assert.deepEqual(hecPositions, acks.map((a) => a.index));
    // A SIEM copy can be checked against the log: the leaf hash verifies in an inclusion proof.
    const size = log.size();
    for (const i of [0, 57, 199]) {
      const proof = log.inclusionProof(i, size);
      assert.equal(proof.leafHash, (hec.events[i]!.fields as { warden_leaf_hash: string }).warden_leaf_hash);
    }
    for (const e of hec.events) assert.deepEqual(validateOcsf(e.event as Record<string, unknown>), []);
  } finally {
    await log.close();
    await hec.close();
    cleanup();
  }
});
