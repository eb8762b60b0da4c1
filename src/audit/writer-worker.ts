/**
 * The audit log's writer thread: it owns the write connection to audit.db and commits each batch (entries,
 * chunk hashes, data keys, an optional checkpoint) in one transaction, so the fsync of a group commit never
 * blocks the main event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/index.js';
import type { WriteBatch, WriteReply } from './writer.js';

const { dataDir, file } = workerData as { dataDir: string; file: string };
const db = openDatabase(dataDir, file);
db.pragma('secure_delete = ON');

const insertEntry = db.prepare('INSERT INTO audit_entries (idx, entry, leaf_hash) VALUES (?, ?, ?)');
const insertChunk = db.prepare('INSERT INTO audit_chunks (chunk, hash) VALUES (?, ?)');
const insertCheckpoint = db.prepare('INSERT INTO audit_checkpoints (tree_size, note, created_at) VALUES (?, ?, ?)');
const upsertKey = db.prepare(`INSERT INTO audit_data_keys (kid, kek_id, wrapped, created_at, retired_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT(kid) DO UPDATE SET retired_at = excluded.retired_at`);

const write = db.transaction((batch: WriteBatch) => {
  for (const k of batch.keys) upsertKey.run(k.kid, k.kekId, Buffer.from(k.wrapped), k.createdAt, k.retiredAt);
  const data = Buffer.from(batch.data);
  const offsets = new Uint32Array(batch.offsets);
  const hashes = Buffer.from(batch.leafHashes);
  for (let i = 0; i < batch.count; i++) {
    insertEntry.run(batch.first + i, data.subarray(offsets[i]!, offsets[i + 1]!), hashes.subarray(i * 32, i * 32 + 32));
  }
  for (const c of batch.chunks) insertChunk.run(c.chunk, Buffer.from(c.hash));
  if (batch.checkpoint) insertCheckpoint.run(batch.checkpoint.size, batch.checkpoint.note, batch.checkpoint.createdAt);
});

parentPort!.on('message', (msg: WriteBatch | { op: 'close' }) => {
  if ('op' in msg && msg.op === 'close') {
    db.close();
    parentPort!.postMessage({ closed: true });
    return;
  }
  const batch = msg as WriteBatch;
  let reply: WriteReply;
  try {
    write(batch);
    reply = { id: batch.id, ok: true };
  } catch (error) {
    reply = { id: batch.id, ok: false, error: (error as Error).message };
  }
  parentPort!.postMessage(reply);
});
