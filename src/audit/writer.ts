/** The main-thread side of the writer thread: one batch in flight, a promise per batch. */
import { Worker } from 'node:worker_threads';
import { workerEntry } from './worker-url.js';

export interface WriteBatch {
  id: number;
  first: number;
  count: number;
  /** Entries concatenated; entry i is data[offsets[i], offsets[i+1]). */
  data: ArrayBuffer;
  offsets: ArrayBuffer;
  leafHashes: ArrayBuffer;
  chunks: { chunk: number; hash: Uint8Array }[];
  keys: { kid: string; kekId: string; wrapped: Uint8Array; createdAt: string; retiredAt: string | null }[];
  checkpoint: { size: number; note: string; createdAt: string } | null;
}

export type WriteReply = { id: number; ok: true } | { id: number; ok: false; error: string };

export class BatchWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | undefined;

  constructor(dataDir: string, file: string) {
    this.worker = new Worker(workerEntry('writer-worker'), { workerData: { dataDir, file } });
    // Idle, the writer thread does not keep the process alive; a batch in flight does.
    this.worker.unref();
    this.worker.on('message', (reply: WriteReply | { closed: true }) => {
      if ('closed' in reply) return;
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) this.worker.unref();
      if (reply.ok) w.resolve();
      else w.reject(new Error(reply.error));
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`audit writer exited with code ${code}`)));
  }

  private fail(error: Error): void {
    this.dead ??= error;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  write(batch: Omit<WriteBatch, 'id'>): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const full: WriteBatch = { ...batch, id };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(full, [full.data, full.offsets, full.leafHashes]);
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    const closed = new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
    });
    this.worker.ref();
    this.worker.postMessage({ op: 'close' });
    this.worker.once('message', () => void this.worker.terminate());
    await closed;
  }
}
